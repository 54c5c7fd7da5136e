package io.ringpool.visit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/** The parsers see whatever a script or a client sends: nothing they are given may make them throw. */
class NeverThrowsProperties {

    private final TrafficSourceParser sources = new TrafficSourceParser();
    private final UserAgentParser userAgents = new UserAgentParser();
    private final BotDetector bots = new BotDetector();

    @Property(tries = 2000)
    void parsingArbitraryStringsNeverThrowsAndAlwaysNamesAChannel(
            @ForAll String pageUrl, @ForAll String referrer, @ForAll List<String> siteDomains) {
        TrafficSource visit = sources.parse(pageUrl, referrer, siteDomains);

        assertThat(visit.channel()).isNotNull();
        assertThat(visit.source()).isNotNull();
        assertThat(visit.medium()).isNotNull();
    }

    @Property(tries = 2000)
    void parsingUrlLikeJunkNeverThrows(@ForAll("urlLike") String pageUrl, @ForAll("urlLike") String referrer) {
        TrafficSource visit = sources.parse(pageUrl, referrer, List.of("example.com"));

        assertThat(visit.channel()).isNotNull();
    }

    /** Values within the 500-character cap; what happens past it is spelled out in TrafficSourceParserTest. */
    @Property(tries = 1000)
    void anyUtmCampaignWithinTheCapSurvivesPercentEncodingTrimmed(@ForAll @StringLength(max = 500) String campaign) {
        String url = "https://example.com/?utm_campaign=" + URLEncoder.encode(campaign, StandardCharsets.UTF_8);

        TrafficSource visit = sources.parse(url, null, List.of());

        String trimmed = campaign.strip();
        assertThat(visit.campaign()).isEqualTo(trimmed.isEmpty() ? null : trimmed);
    }

    @Property(tries = 2000)
    void userAgentParsingAndBotDetectionNeverThrow(@ForAll String userAgent, @ForAll boolean webdriver) {
        assertThat(userAgents.parse(userAgent)).isNotNull();
        bots.isBot(userAgent, webdriver);
    }

    /** Strings made of URL punctuation and fragments, more likely than random text to hit edge cases. */
    @Provide
    Arbitrary<String> urlLike() {
        return Arbitraries.of("http", "https", "://", "//", ":", "/", "?", "#", "&", "=", "%", "%2", "%zz", "%C3",
                        "+", "@", "[", "]", ".", "www.", "example.com", "google.com", "utm_source", "utm_medium",
                        "gclid", "clid", "cpc", " ", "\u0000", "😀", "[::1]", ":80")
                .list().ofMaxSize(30)
                .map(parts -> String.join("", parts));
    }
}
