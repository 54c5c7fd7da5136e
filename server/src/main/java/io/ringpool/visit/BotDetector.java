package io.ringpool.visit;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Says whether a visit comes from a robot, so that it never takes a tracking number (PRODUCT.md §5:
 * "known bots never consume a number"). Stateless and thread-safe.
 *
 * <p>The trade-off: a human wrongly called a bot sees the site's default number, and a call is
 * merely untracked; a bot wrongly called human holds a number for a whole lease and, in numbers,
 * can drain a pool. So the detector leans towards "bot" where real browsers never go (no
 * User-Agent, a URL in the User-Agent), and stays precise where phones do go (a Cubot phone is not
 * a bot, the Yandex app is not YandexBot).
 *
 * <p>Plain HTTP clients (curl, python-requests, Java, Go) and a missing User-Agent are <em>not</em>
 * bots here: the script never runs in them, so such requests come from server-side integrations,
 * monitoring and tests that use the documented API on purpose. Abuse from them is bounded by the
 * per-IP rate limit instead.
 *
 * <p>A bot is:
 * <ul>
 *   <li>a browser driven by automation ({@code navigator.webdriver} is true: Selenium, Puppeteer,
 *       Playwright set it);</li>
 *   <li>a known crawler, preview fetcher, auditing tool or headless browser;</li>
 *   <li>a User-Agent containing a URL ({@code +http://…/bot.html}): the crawlers' convention for
 *       "who am I"; browsers never do it;</li>
 *   <li>a generic robot word: {@code bot}, {@code crawler}, {@code spider}, {@code crawl} as a
 *       whole word, or a name ending in bot/crawler/spider followed by a version
 *       ({@code UptimeRobot/2.0}). Whole words only, because phone models end in "bot" too
 *       ({@code CUBOT X30}).</li>
 * </ul>
 */
public final class BotDetector {

    /**
     * Only this many leading characters are inspected: real User-Agents are under ~600 characters,
     * and a bound keeps matching time fixed whatever a client sends.
     */
    static final int MAX_INSPECTED_CHARS = 1024;

    // Matched against the lowercased User-Agent. Plain alternatives of literals: no nested
    // quantifiers, so the cost is linear in the (bounded) input.
    private static final Pattern KNOWN_BOTS = Pattern.compile(String.join("|",
            // Search engines.
            "googlebot", "adsbot-google", "mediapartners-google", "google-inspectiontool",
            "googleother", "storebot-google", "google-read-aloud", "apis-google",
            "bingbot", "bingpreview", "msnbot", "adidxbot",
            // YandexBot, YandexMobileBot, YandexAccessibilityBot… and the Yandex robots without
            // "bot" in their name. Not "yandex" alone: the Yandex app (YaSearchBrowser) is human.
            "yandex[a-z]*bot", "yandex(?:images|metrika|direct|media|video|favicons|webmaster|"
                    + "pagechecker|market|news|blogs|adnet|vertis|turbo|sitelinks|fordomain|"
                    + "calendar|searchshop|verticals|tracker|userproxy|partner|imageresizer)",
            "baiduspider", "duckduckbot", "duckassistbot", "slurp", "exabot", "seznambot",
            "petalbot", "applebot", "bytespider",
            // Link previews and social crawlers.
            "facebookexternalhit", "facebookcatalog", "meta-externalagent", "twitterbot",
            "linkedinbot", "pinterestbot", "telegrambot", "discordbot", "slackbot", "vkshare",
            // SEO and AI crawlers.
            "ahrefsbot", "semrushbot", "mj12bot", "dotbot", "blexbot", "serpstatbot",
            "gptbot", "chatgpt-user", "claudebot", "ccbot", "perplexitybot",
            // Auditing and monitoring tools that run pages like a browser.
            "lighthouse", "page ?speed", "gtmetrix", "ptst/", "pingdom", "headlesschrome",
            "phantomjs", "puppeteer", "playwright",
            // Scraping frameworks (not plain HTTP clients: see the class comment).
            "scrapy",
            // The crawler convention of a URL in the User-Agent.
            "https?://",
            // Generic robot words; see the class comment for why they need word boundaries.
            "\\b(?:bot|crawler|spider|crawl|robot)\\b",
            "[a-z](?:bot|crawler|spider)/"));

    /**
     * @param userAgent     the User-Agent header (or {@code navigator.userAgent}); null or blank is not a bot
     * @param webdriverFlag {@code navigator.webdriver} as reported by the script
     */
    public boolean isBot(String userAgent, boolean webdriverFlag) {
        if (webdriverFlag) {
            return true;
        }
        if (userAgent == null || userAgent.isBlank()) {
            return false;
        }
        String inspected = userAgent.length() > MAX_INSPECTED_CHARS
                ? userAgent.substring(0, MAX_INSPECTED_CHARS)
                : userAgent;
        return KNOWN_BOTS.matcher(inspected.toLowerCase(Locale.ROOT)).find();
    }
}
