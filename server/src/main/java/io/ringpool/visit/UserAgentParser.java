package io.ringpool.visit;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads device type, browser and OS from a User-Agent, for the audience reports. It runs on every
 * session start, so it is a few short ordered tables of precompiled patterns: each pattern is a
 * literal token or an alternation of them (no {@code .*}, nothing that backtracks), each table is
 * tried top to bottom, the first match wins, and the input is bounded. Stateless and thread-safe.
 *
 * <p>Order is the whole trick, because browsers name their ancestors: Edge, Opera, Yandex Browser
 * and Samsung Internet all say "Chrome/", Chrome says "Safari/", Android says "Linux", iPadOS 13+
 * Safari says "Macintosh" (and is reported as a desktop Mac: the User-Agent cannot tell).
 *
 * <p>Known robots are type {@code "bot"} (see {@link BotDetector}), with browser and OS still read,
 * so headless Chrome shows up as a Chrome bot rather than a user.
 */
public final class UserAgentParser {

    /** "If {@code pattern} is found and {@code unless} is not, the answer is {@code value}." */
    private record Rule(Pattern pattern, Pattern unless, String value) {

        Rule(String pattern, String value) {
            this(Pattern.compile(pattern), null, value);
        }

        Rule(String pattern, String unless, String value) {
            this(Pattern.compile(pattern), Pattern.compile(unless), value);
        }

        boolean matches(String userAgent) {
            return pattern.matcher(userAgent).find() && (unless == null || !unless.matcher(userAgent).find());
        }
    }

    private static final List<Rule> TYPES = List.of(
            new Rule("iPad", "tablet"),
            // Android phones say "Mobile", Android tablets (and Kindle Fire) do not.
            new Rule("Android", "Mobi", "tablet"),
            new Rule("Mobi|iPhone|iPod|Android|Windows Phone|Opera Mini|BlackBerry|BB10", "mobile"));

    private static final List<Rule> BROWSERS = List.of(
            new Rule("Edg(?:e|A|iOS)?/", "Edge"),
            new Rule("OPR/|OPT/|OPiOS/|Opera", "Opera"),
            new Rule("YaBrowser/|YaSearchBrowser/", "Yandex Browser"),
            new Rule("SamsungBrowser/", "Samsung Internet"),
            new Rule("Firefox/|FxiOS/", "Firefox"),
            // CriOS is Chrome on iOS; HeadlessChrome/ contains Chrome/ on purpose.
            new Rule("Chrome/|CriOS/|Chromium/", "Chrome"),
            new Rule("MSIE |Trident/", "Internet Explorer"),
            // The old Android stock browser says "Safari/" too, but it is not Safari.
            new Rule("Safari/", "Android", "Safari"));

    private static final List<Rule> SYSTEMS = List.of(
            // Windows Phone says "Android" and "iPhone" for compatibility; it is neither, and gone.
            new Rule("Windows Phone", "Other"),
            new Rule("iPad", "iPadOS"),
            new Rule("iPhone|iPod", "iOS"),
            new Rule("Android", "Android"),
            new Rule("CrOS", "ChromeOS"),
            new Rule("Windows", "Windows"),
            new Rule("Macintosh|Mac OS X", "macOS"),
            new Rule("Linux|Ubuntu|Fedora", "Linux"));

    private static final Device UNKNOWN = new Device("unknown", "Other", "Other");

    private final BotDetector botDetector = new BotDetector();

    /** The device of a User-Agent; a null or blank one is {@code unknown/Other/Other}. Never throws. */
    public Device parse(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return UNKNOWN;
        }
        String inspected = userAgent.length() > BotDetector.MAX_INSPECTED_CHARS
                ? userAgent.substring(0, BotDetector.MAX_INSPECTED_CHARS)
                : userAgent;
        String type = botDetector.isBot(inspected, false) ? "bot" : first(TYPES, inspected, "desktop");
        return new Device(type, first(BROWSERS, inspected, "Other"), first(SYSTEMS, inspected, "Other"));
    }

    private static String first(List<Rule> rules, String userAgent, String otherwise) {
        for (Rule rule : rules) {
            if (rule.matches(userAgent)) {
                return rule.value();
            }
        }
        return otherwise;
    }
}
