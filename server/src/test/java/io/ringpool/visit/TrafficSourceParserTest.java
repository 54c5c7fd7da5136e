package io.ringpool.visit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TrafficSourceParserTest {

    private static final List<String> SITE = List.of("example.com");
    private final TrafficSourceParser parser = new TrafficSourceParser();

    // ---- channel, source and medium: one row per rule, in rule order ----

    static Stream<Arguments> visits() {
        return Stream.of(
                // paid
                arguments("a gclid alone is google cpc", "https://example.com/?gclid=Cj0KCQ", null,
                        Channel.PAID, "google", "cpc"),
                arguments("a yclid alone is yandex cpc", "https://example.com/?yclid=123456", "https://yandex.ru/",
                        Channel.PAID, "yandex", "cpc"),
                arguments("an msclkid alone is bing cpc", "https://example.com/?msclkid=abc", null,
                        Channel.PAID, "bing", "cpc"),
                arguments("an fbclid alone is facebook paid", "https://example.com/?fbclid=IwAR1", "https://l.facebook.com/",
                        Channel.PAID, "facebook", "paid"),
                arguments("a wbraid alone is google cpc", "https://example.com/?wbraid=CkQK", null,
                        Channel.PAID, "google", "cpc"),
                arguments("a gbraid alone is google cpc", "https://example.com/?gbraid=0AAA", null,
                        Channel.PAID, "google", "cpc"),
                arguments("a dclid alone is google display", "https://example.com/?dclid=CJ", null,
                        Channel.PAID, "google", "display"),
                arguments("a ttclid alone is tiktok paid", "https://example.com/?ttclid=E.C.P", null,
                        Channel.PAID, "tiktok", "paid"),
                arguments("an unknown click id is paid, named by its referrer", "https://example.com/?sclid=77",
                        "https://ads.example.net/x", Channel.PAID, "ads.example.net", "paid"),
                arguments("an unknown click id without referrer is paid from (not set)", "https://example.com/?sclid=77", null,
                        Channel.PAID, "(not set)", "paid"),
                arguments("gclid names the source whatever the parameter order", "https://example.com/?fbclid=f&gclid=g", null,
                        Channel.PAID, "google", "cpc"),
                arguments("utm tags name a click-id visit's source and medium", "https://example.com/?utm_source=yandex&utm_medium=cpc&yclid=1", null,
                        Channel.PAID, "yandex", "cpc"),
                arguments("utm_medium cpc is paid", "https://example.com/?utm_source=google&utm_medium=cpc", null,
                        Channel.PAID, "google", "cpc"),
                arguments("utm_medium PPC is paid, ignoring case", "https://example.com/?utm_source=bing&utm_medium=PPC", null,
                        Channel.PAID, "bing", "PPC"),
                arguments("utm_medium paid_social is paid", "https://example.com/?utm_source=vk&utm_medium=paid_social", "https://vk.com/",
                        Channel.PAID, "vk", "paid_social"),
                arguments("utm_medium cpm is paid", "https://example.com/?utm_source=dsp&utm_medium=cpm", null,
                        Channel.PAID, "dsp", "cpm"),
                arguments("utm_medium cpa is paid", "https://example.com/?utm_source=admitad&utm_medium=cpa", null,
                        Channel.PAID, "admitad", "cpa"),
                arguments("utm_medium cpv is paid", "https://example.com/?utm_source=youtube&utm_medium=cpv", null,
                        Channel.PAID, "youtube", "cpv"),
                arguments("utm_medium display is paid", "https://example.com/?utm_source=gdn&utm_medium=display", null,
                        Channel.PAID, "gdn", "display"),
                arguments("utm_medium banner is paid", "https://example.com/?utm_source=partner&utm_medium=banner", null,
                        Channel.PAID, "partner", "banner"),
                // email
                arguments("utm_medium email is email", "https://example.com/?utm_source=mailchimp&utm_medium=email", null,
                        Channel.EMAIL, "mailchimp", "email"),
                arguments("utm_medium newsletter is email", "https://example.com/?utm_source=digest&utm_medium=Newsletter", "https://mail.google.com/",
                        Channel.EMAIL, "digest", "Newsletter"),
                // social
                arguments("utm_medium social is social", "https://example.com/?utm_source=telegram&utm_medium=social", null,
                        Channel.SOCIAL, "telegram", "social"),
                arguments("utm_medium smm is social", "https://example.com/?utm_source=vk&utm_medium=smm", null,
                        Channel.SOCIAL, "vk", "smm"),
                arguments("a facebook link shim is social", "https://example.com/", "https://l.facebook.com/l.php?u=x",
                        Channel.SOCIAL, "facebook.com", "social"),
                arguments("an instagram referrer is social", "https://example.com/", "https://l.instagram.com/",
                        Channel.SOCIAL, "instagram.com", "social"),
                arguments("a vk referrer is social", "https://example.com/", "https://m.vk.com/wall-1_2",
                        Channel.SOCIAL, "vk.com", "social"),
                arguments("an ok.ru referrer is social", "https://example.com/", "https://ok.ru/group/1",
                        Channel.SOCIAL, "ok.ru", "social"),
                arguments("a telegram referrer is social", "https://example.com/", "https://t.me/channel/42",
                        Channel.SOCIAL, "t.me", "social"),
                arguments("a t.co referrer is social, named x.com", "https://example.com/", "https://t.co/abc",
                        Channel.SOCIAL, "x.com", "social"),
                arguments("an x.com referrer is social", "https://example.com/", "https://x.com/",
                        Channel.SOCIAL, "x.com", "social"),
                arguments("a linkedin referrer is social", "https://example.com/", "https://www.linkedin.com/",
                        Channel.SOCIAL, "linkedin.com", "social"),
                arguments("a youtube referrer is social", "https://example.com/", "https://www.youtube.com/",
                        Channel.SOCIAL, "youtube.com", "social"),
                arguments("a tiktok referrer is social", "https://example.com/", "https://www.tiktok.com/",
                        Channel.SOCIAL, "tiktok.com", "social"),
                // one network, one source: its mobile sites and link shims are named by its domain (audit G #7)
                arguments("m.facebook.com is facebook.com", "https://example.com/", "https://m.facebook.com/story.php",
                        Channel.SOCIAL, "facebook.com", "social"),
                arguments("away.vk.com is vk.com", "https://example.com/", "https://away.vk.com/away.php?to=x",
                        Channel.SOCIAL, "vk.com", "social"),
                arguments("M.YouTube.com is youtube.com", "https://example.com/", "https://M.YouTube.com/watch?v=1",
                        Channel.SOCIAL, "youtube.com", "social"),
                arguments("youtu.be is youtube.com", "https://example.com/", "https://youtu.be/abc",
                        Channel.SOCIAL, "youtube.com", "social"),
                arguments("fb.com is facebook.com", "https://example.com/", "https://fb.com/",
                        Channel.SOCIAL, "facebook.com", "social"),
                arguments("a tagged link from a social network is social, named by its tags", "https://example.com/?utm_source=blogger&utm_medium=post",
                        "https://www.instagram.com/", Channel.SOCIAL, "blogger", "post"),
                arguments("a host merely ending like a social network is not one", "https://example.com/", "https://notfacebook.com/",
                        Channel.REFERRAL, "notfacebook.com", "referral"),
                // organic
                arguments("google.com is organic google", "https://example.com/", "https://www.google.com/",
                        Channel.ORGANIC, "google", "organic"),
                arguments("google.co.uk is organic google", "https://example.com/", "https://www.google.co.uk/",
                        Channel.ORGANIC, "google", "organic"),
                arguments("google.ru is organic google", "https://example.com/", "https://www.google.ru/",
                        Channel.ORGANIC, "google", "organic"),
                arguments("google.com.br is organic google", "https://example.com/", "https://www.google.com.br/",
                        Channel.ORGANIC, "google", "organic"),
                arguments("the Google app is organic google", "https://example.com/", "android-app://com.google.android.googlequicksearchbox/",
                        Channel.ORGANIC, "google", "organic"),
                arguments("yandex.ru is organic yandex", "https://example.com/", "https://yandex.ru/search/?text=x",
                        Channel.ORGANIC, "yandex", "organic"),
                arguments("yandex.com.tr is organic yandex", "https://example.com/", "https://yandex.com.tr/",
                        Channel.ORGANIC, "yandex", "organic"),
                arguments("ya.ru is organic yandex", "https://example.com/", "https://ya.ru/",
                        Channel.ORGANIC, "yandex", "organic"),
                arguments("bing is organic bing", "https://example.com/", "https://www.bing.com/",
                        Channel.ORGANIC, "bing", "organic"),
                arguments("cn.bing.com is organic bing", "https://example.com/", "https://cn.bing.com/",
                        Channel.ORGANIC, "bing", "organic"),
                arguments("duckduckgo is organic", "https://example.com/", "https://duckduckgo.com/",
                        Channel.ORGANIC, "duckduckgo", "organic"),
                arguments("yahoo search is organic", "https://example.com/", "https://uk.search.yahoo.com/",
                        Channel.ORGANIC, "yahoo", "organic"),
                arguments("baidu is organic", "https://example.com/", "https://www.baidu.com/",
                        Channel.ORGANIC, "baidu", "organic"),
                arguments("go.mail.ru is organic", "https://example.com/", "https://go.mail.ru/search?q=x",
                        Channel.ORGANIC, "mail.ru", "organic"),
                arguments("ecosia is organic", "https://example.com/", "https://www.ecosia.org/",
                        Channel.ORGANIC, "ecosia", "organic"),
                arguments("gmail is a referral, not a search", "https://example.com/", "https://mail.google.com/",
                        Channel.REFERRAL, "mail.google.com", "referral"),
                arguments("yandex mail is a referral, not a search", "https://example.com/", "https://mail.yandex.ru/",
                        Channel.REFERRAL, "mail.yandex.ru", "referral"),
                arguments("a search engine with utm tags is not organic", "https://example.com/?utm_campaign=spring", "https://www.google.com/",
                        Channel.REFERRAL, "google.com", "referral"),
                // referral
                arguments("another site is a referral named by its host without www", "https://example.com/", "https://www.news.example.org/article",
                        Channel.REFERRAL, "news.example.org", "referral"),
                arguments("a tagged link with an unknown medium is a referral", "https://example.com/?utm_source=partner&utm_medium=affiliate", null,
                        Channel.REFERRAL, "partner", "affiliate"),
                arguments("utm_source alone is a referral whose medium is the channel", "https://example.com/?utm_source=flyer", null,
                        Channel.REFERRAL, "flyer", "referral"),
                // direct
                arguments("nothing at all is direct", "https://example.com/", null,
                        Channel.DIRECT, "(direct)", "(none)"),
                arguments("an empty referrer is direct", "https://example.com/", "",
                        Channel.DIRECT, "(direct)", "(none)"),
                arguments("utm tags without a source or a fitting medium are direct", "https://example.com/?utm_campaign=spring", null,
                        Channel.DIRECT, "(direct)", "(none)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("visits")
    void theFirstFittingRuleDecidesChannelSourceAndMedium(String story, String url, String referrer,
            Channel channel, String source, String medium) {
        TrafficSource visit = parser.parse(url, referrer, SITE);

        assertThat(visit.channel()).as("channel").isEqualTo(channel);
        assertThat(visit.source()).as("source").isEqualTo(source);
        assertThat(visit.medium()).as("medium").isEqualTo(medium);
    }

    // ---- the site's own domains ----

    static Stream<Arguments> ownReferrers() {
        return Stream.of(
                arguments("the bare domain", List.of("example.com"), "https://example.com/catalog"),
                arguments("www of a bare domain", List.of("example.com"), "https://www.example.com/"),
                arguments("bare of a www domain", List.of("www.example.com"), "https://example.com/"),
                arguments("a subdomain", List.of("example.com"), "https://shop.example.com/cart"),
                arguments("a domain in capitals with a port", List.of("Example.COM"), "http://EXAMPLE.com:8080/"),
                arguments("a wildcard domain", List.of("*.example.com"), "https://blog.example.com/"),
                arguments("a second site domain", List.of("example.com", "example.ru"), "https://example.ru/"),
                arguments("a domain given as a URL", List.of("https://example.com/"), "https://www.example.com/"),
                arguments("the landing host when no domain is configured", List.of(), "https://example.com/a"));
    }

    @ParameterizedTest(name = "a referrer from {0} is not a new source")
    @MethodSource("ownReferrers")
    void aReferrerFromTheSitesOwnDomainsCountsAsNoReferrer(String story, List<String> domains, String referrer) {
        TrafficSource visit = parser.parse("https://example.com/landing", referrer, domains);

        assertThat(visit.channel()).isEqualTo(Channel.DIRECT);
        assertThat(visit.source()).isEqualTo("(direct)");
        assertThat(visit.referrerHost()).isNull();
        assertThat(visit.referrer()).as("the raw referrer is kept as evidence").isEqualTo(referrer);
    }

    @Test
    void urlsABrowserWouldRunAreDroppedAsIfAbsentButAppReferrersStay() {
        TrafficSource visit = parser.parse(" JavaScript:alert(5)//https://example.com/?utm_source=x", "data:text/html,<script>", SITE);
        assertThat(visit.landingPage()).isNull();
        assertThat(visit.referrer()).isNull();
        assertThat(visit.channel()).isEqualTo(Channel.DIRECT);
        assertThat(parser.parse("https://example.com/", "java\tscript:alert(1)", SITE).referrer()).isNull();
        assertThat(parser.parse("https://example.com/", "vbscript:msgbox", SITE).referrer()).isNull();

        TrafficSource app = parser.parse("https://example.com/", "android-app://com.google.android.gm/", SITE);
        assertThat(app.referrer()).isEqualTo("android-app://com.google.android.gm/");
    }

    @Test
    void aDomainThatOnlyEndsWithTheSitesNameIsAnotherSite() {
        TrafficSource visit = parser.parse("https://example.com/", "https://badexample.com/", SITE);

        assertThat(visit.channel()).isEqualTo(Channel.REFERRAL);
        assertThat(visit.referrerHost()).isEqualTo("badexample.com");
    }

    @Test
    void anInternalReferrerDoesNotHideTheVisitsUtmTags() {
        TrafficSource visit = parser.parse("https://example.com/?utm_source=google&utm_medium=cpc",
                "https://www.example.com/", SITE);

        assertThat(visit.channel()).isEqualTo(Channel.PAID);
        assertThat(visit.source()).isEqualTo("google");
    }

    // ---- URL reading ----

    @Test
    void allFiveUtmTagsAreReadPercentDecodedWithPlusAsSpace() {
        TrafficSource visit = parser.parse(
                "https://example.com/p?utm_source=yandex&utm_medium=cpc&utm_campaign=%D0%B2%D0%B5%D1%81%D0%BD%D0%B0+2024"
                        + "&utm_term=%D0%BA%D1%83%D0%BF%D0%B8%D1%82%D1%8C%20%D0%B4%D0%B8%D0%B2%D0%B0%D0%BD&utm_content=ad%2B1",
                null, SITE);

        assertThat(visit.source()).isEqualTo("yandex");
        assertThat(visit.medium()).isEqualTo("cpc");
        assertThat(visit.campaign()).isEqualTo("весна 2024");
        assertThat(visit.term()).isEqualTo("купить диван");
        assertThat(visit.content()).isEqualTo("ad+1");
    }

    @Test
    void utmValuesAreTrimmedAndEmptyOnesAreAbsent() {
        TrafficSource visit = parser.parse(
                "https://example.com/?utm_source=+%20google%09&utm_medium=&utm_campaign=%20&utm_term", null, SITE);

        assertThat(visit.source()).isEqualTo("google");
        assertThat(visit.campaign()).isNull();
        assertThat(visit.term()).isNull();
        assertThat(visit.medium()).as("utm_source alone: the channel's name").isEqualTo("referral");
    }

    @Test
    void parameterNamesAreMatchedIgnoringCaseAndTheFirstOccurrenceWins() {
        TrafficSource visit = parser.parse("https://example.com/?UTM_Source=first&utm_source=second&GCLID=g", null, SITE);

        assertThat(visit.source()).isEqualTo("first");
        assertThat(visit.clickId("gclid")).isEqualTo("g");
        assertThat(visit.clickId("GCLID")).isEqualTo("g");
    }

    @Test
    void utmValuesAndClickIdsAreCappedAt500Characters() {
        String longValue = "a".repeat(2000);
        TrafficSource visit = parser.parse("https://example.com/?utm_campaign=" + longValue + "&gclid=" + longValue, null, SITE);

        assertThat(visit.campaign()).hasSize(500);
        assertThat(visit.clickId("gclid")).hasSize(500);
    }

    static Stream<Arguments> valuesAroundTheCap() {
        return Stream.of(
                arguments("exactly 500 characters are kept whole", "a".repeat(500), "a".repeat(500)),
                arguments("the 501st character is cut", "a".repeat(500) + "b", "a".repeat(500)),
                arguments("spaces around are trimmed before the cap counts", "%20%20" + "a".repeat(500) + "%20", "a".repeat(500)),
                arguments("a space left at the cut is trimmed after it", "a".repeat(499) + "%20bbb", "a".repeat(499)),
                arguments("Cyrillic counts in characters, not bytes", "%D0%B2".repeat(501), "в".repeat(500)),
                arguments("an emoji that fits entirely is kept", "a".repeat(498) + "%F0%9F%98%80", "a".repeat(498) + "😀"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesAroundTheCap")
    void utmValuesAreCutAt500CharactersAfterTrimming(String story, String encoded, String stored) {
        TrafficSource visit = parser.parse("https://example.com/?utm_campaign=" + encoded, null, SITE);

        assertThat(visit.campaign()).isEqualTo(stored);
    }

    @Test
    void cappingNeverSplitsASurrogatePair() {
        String value = "a".repeat(499) + "😀";
        TrafficSource visit = parser.parse("https://example.com/?utm_campaign=" + value, null, SITE);

        assertThat(visit.campaign()).isEqualTo("a".repeat(499));
    }

    @Test
    void everyClickIdIsKeptInUrlOrderIncludingUnknownOnesEndingInClid() {
        TrafficSource visit = parser.parse(
                "https://example.com/?ttclid=t&gclid=g&page=2&yclid=y&fbclid=f&msclkid=m&wbraid=w&gbraid=b&dclid=d&clid=no&x=1",
                null, SITE);

        assertThat(visit.clickIds()).containsExactly(
                org.assertj.core.api.Assertions.entry("ttclid", "t"),
                org.assertj.core.api.Assertions.entry("gclid", "g"),
                org.assertj.core.api.Assertions.entry("yclid", "y"),
                org.assertj.core.api.Assertions.entry("fbclid", "f"),
                org.assertj.core.api.Assertions.entry("msclkid", "m"),
                org.assertj.core.api.Assertions.entry("wbraid", "w"),
                org.assertj.core.api.Assertions.entry("gbraid", "b"),
                org.assertj.core.api.Assertions.entry("dclid", "d"));
        assertThat(visit.clickId("page")).isNull();
    }

    @Test
    void theClickIdMapCannotBeModified() {
        TrafficSource visit = parser.parse("https://example.com/?gclid=g", null, SITE);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> visit.clickIds().put("x", "y"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void anEmptyClickIdIsNoClickIdAndDoesNotMakeTheVisitPaid() {
        TrafficSource visit = parser.parse("https://example.com/?gclid=&yclid=%20", null, SITE);

        assertThat(visit.clickIds()).isEmpty();
        assertThat(visit.channel()).isEqualTo(Channel.DIRECT);
    }

    @Test
    void theLandingPageKeepsItsQueryButLosesItsFragment() {
        TrafficSource visit = parser.parse("https://example.com/p?utm_source=a#section?utm_source=b", null, SITE);

        assertThat(visit.landingPage()).isEqualTo("https://example.com/p?utm_source=a");
        assertThat(visit.source()).as("a parameter in the fragment is not read").isEqualTo("a");
    }

    @Test
    void theLandingPageAndReferrerAreCapped() {
        String longUrl = "https://example.com/" + "p".repeat(5000);
        TrafficSource visit = parser.parse(longUrl, "https://other.org/" + "r".repeat(5000), SITE);

        assertThat(visit.landingPage()).hasSize(TrafficSourceParser.MAX_URL_CHARS);
        assertThat(visit.referrer()).hasSize(TrafficSourceParser.MAX_URL_CHARS);
        assertThat(visit.referrerHost()).isEqualTo("other.org");
    }

    @Test
    void theReferrerHostIsLowercaseWithoutUserInfoPortOrTrailingDot() {
        TrafficSource visit = parser.parse("https://example.com/", "HTTPS://user:pw@WWW.Other.ORG.:8443/x?y#z", SITE);

        assertThat(visit.referrerHost()).isEqualTo("www.other.org");
        assertThat(visit.source()).isEqualTo("other.org");
    }

    static Stream<Arguments> malformedUrls() {
        return Stream.of(
                arguments("a null URL", null),
                arguments("an empty URL", ""),
                arguments("blanks", "   "),
                arguments("garbage", "%%%^^^&&&==="),
                arguments("a URL with a broken escape", "https://example.com/?a=%zz&b=%"),
                arguments("a URL with spaces and pipes", "https://example.com/a b|c?x=1 2"),
                arguments("a relative URL", "/catalog/sofas"),
                arguments("only a question mark", "?"),
                arguments("an unclosed IPv6 host", "http://[::1/"),
                arguments("a javascript URL", "javascript:alert(1)"));
    }

    @ParameterizedTest(name = "{0} gives a direct visit")
    @MethodSource("malformedUrls")
    void aMalformedUrlGivesADirectVisitInsteadOfThrowing(String story, String url) {
        TrafficSource visit = parser.parse(url, null, null);

        assertThat(visit.channel()).isEqualTo(Channel.DIRECT);
        assertThat(visit.source()).isEqualTo("(direct)");
        assertThat(visit.medium()).isEqualTo("(none)");
    }

    @Test
    void aRelativeUrlStillYieldsItsClickIdAndTags() {
        TrafficSource visit = parser.parse("/landing?gclid=abc&utm_campaign=x", "not a url", null);

        assertThat(visit.channel()).isEqualTo(Channel.PAID);
        assertThat(visit.clickId("gclid")).isEqualTo("abc");
        assertThat(visit.campaign()).isEqualTo("x");
        assertThat(visit.landingPage()).isEqualTo("/landing?gclid=abc&utm_campaign=x");
        assertThat(visit.referrer()).isEqualTo("not a url");
        assertThat(visit.referrerHost()).as("a referrer without a scheme has no host").isNull();
    }

    @Test
    void aBrokenEscapeDoesNotLoseTheOtherParameters() {
        TrafficSource visit = parser.parse("https://example.com/?utm_term=100%&gclid=abc%zz", null, SITE);

        assertThat(visit.term()).isEqualTo("100%");
        assertThat(visit.clickId("gclid")).isEqualTo("abc%zz");
    }

    @Test
    void invalidUtf8IsReplacedNotThrown() {
        TrafficSource visit = parser.parse("https://example.com/?utm_source=%C3%28x", null, SITE);

        assertThat(visit.source()).isEqualTo("\uFFFD(x");
    }
}
