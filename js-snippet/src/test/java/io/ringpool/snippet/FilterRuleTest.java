package io.ringpool.snippet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rule syntax the measurement relies on, each case one a blocker would decide the same way. */
class FilterRuleTest {
    private static final String PAGE = "https://shop.example/item";

    private static boolean blocks(String rule, String url, String type) {
        return FilterRule.parse(rule).orElseThrow().matches(new FilterRule.Request(url, type, PAGE));
    }

    @Test
    void aPlainPatternMatchesAnywhereInTheUrlIgnoringCase() {
        assertThat(blocks("/Pageviews?token=", "https://a.example/pageviews?token=1", "xmlhttprequest")).isTrue();
        assertThat(blocks("/pageviews?token=", "https://a.example/v1/sessions/s_1/pageviews", "xmlhttprequest")).isFalse();
    }

    @Test
    void aDoubleBarAnchorsAtTheHostOrAParentDomainButNotInsideALabel() {
        assertThat(blocks("||example-agency.com^", "https://track.example-agency.com/s.js", "script")).isTrue();
        assertThat(blocks("||example-agency.com^", "https://example-agency.com/s.js", "script")).isTrue();
        assertThat(blocks("||agency.com^", "https://track.example-agency.com/s.js", "script")).isFalse();
        assertThat(blocks("||s.js", "https://shop.example/s.js", "script")).isFalse();
    }

    @Test
    void aSingleBarAnchorsAtTheStartOrTheEndOfTheUrl() {
        assertThat(blocks("|https://ads.", "https://ads.example/x", "script")).isTrue();
        assertThat(blocks("|https://ads.", "https://shop.example/?u=https://ads.x", "script")).isFalse();
        assertThat(blocks("/end|", "https://shop.example/v1/sessions/s_1/end", "ping")).isTrue();
        assertThat(blocks("/end|", "https://shop.example/end/x", "ping")).isFalse();
    }

    @Test
    void aCaretIsASeparatorOrTheEndButNotALetterDigitDotDashOrPercent() {
        assertThat(blocks("/counter^", "https://shop.example/counter/s.js", "script")).isTrue();
        assertThat(blocks("/counter^", "https://shop.example/counter", "script")).isTrue();
        assertThat(blocks("/counter^", "https://shop.example/counters.js", "script")).isFalse();
        assertThat(blocks("/counter^", "https://shop.example/counter.js", "script")).isFalse();
    }

    @Test
    void aStarMatchesAnyRunOfCharacters() {
        assertThat(blocks("://tracker.*/pageview", "https://tracker.x.com/v1/sessions/s_1/pageviews", "xmlhttprequest"))
                .isTrue();
        assertThat(blocks("://tracker.*/pageview", "https://calls.x.com/v1/sessions/s_1/pageviews", "xmlhttprequest"))
                .isFalse();
    }

    @Test
    void typeOptionsLimitTheRuleToThoseRequestTypesAndATildeExcludesOne() {
        assertThat(blocks("$ping,third-party", "https://calls.x.com/end", "ping")).isTrue();
        assertThat(blocks("$ping,third-party", "https://calls.x.com/end", "xmlhttprequest")).isFalse();
        assertThat(blocks("/s.js$~script", "https://calls.x.com/s.js", "script")).isFalse();
        assertThat(blocks("/s.js$~script", "https://calls.x.com/s.js", "image")).isTrue();
        assertThat(blocks("/x$beacon", "https://calls.x.com/x", "ping")).isTrue();
    }

    @Test
    void thirdPartyCompareTheRegistrableDomainsOfRequestAndPage() {
        assertThat(blocks("$ping,third-party", "https://shop.example/rp/end", "ping")).isFalse();
        assertThat(blocks("$ping,third-party", "https://rp.shop.example/end", "ping")).isFalse();
        assertThat(blocks("$ping,third-party", "https://shop-calls.example/end", "ping")).isTrue();
        assertThat(blocks("/end$~third-party", "https://shop.example/rp/end", "ping")).isTrue();
        assertThat(blocks("/end$1p", "https://calls.x.com/end", "ping")).isFalse();
    }

    @Test
    void domainOptionsNameThePagesTheRuleIsForOrNotFor() {
        assertThat(blocks("/s.js$domain=shop.example", "https://x.com/s.js", "script")).isTrue();
        assertThat(blocks("/s.js$domain=other.example", "https://x.com/s.js", "script")).isFalse();
        assertThat(blocks("/s.js$domain=~shop.example", "https://x.com/s.js", "script")).isFalse();
        assertThat(blocks("/s.js$domain=~av.by|~bspb.ru", "https://x.com/s.js", "script")).isTrue();
        assertThat(FilterRule.parse("/s.js$domain=shop.example").orElseThrow().generic()).isFalse();
        assertThat(FilterRule.parse("/s.js$domain=~shop.example").orElseThrow().generic()).isTrue();
    }

    @Test
    void regularExpressionRulesAreRegularExpressionsAndTheirDollarIsNoOptionSeparator() {
        assertThat(blocks("/\\/v1\\/sessions$/", "https://x.com/v1/sessions", "xmlhttprequest")).isTrue();
        assertThat(blocks("/\\/v1\\/sessions$/", "https://x.com/v1/sessions/s_1/end", "xmlhttprequest")).isFalse();
        assertThat(blocks("/\\/v1\\/sessions$/$script", "https://x.com/v1/sessions", "xmlhttprequest")).isFalse();
    }

    @Test
    void commentsElementHidingAndRulesThatRewriteInsteadOfBlockingAreNoNetworkRules() {
        assertThat(FilterRule.parse("! Title: EasyPrivacy")).isEmpty();
        assertThat(FilterRule.parse("[Adblock Plus 2.0]")).isEmpty();
        assertThat(FilterRule.parse("example.com##.ad")).isEmpty();
        assertThat(FilterRule.parse("##[data-ringpool]")).isEmpty();
        assertThat(FilterRule.parse("$removeparam=utm_source")).isEmpty();
        assertThat(FilterRule.parse("||x.com^$csp=script-src 'self'")).isEmpty();
        assertThat(FilterRule.parse("@@||shop.example^$ping").orElseThrow().exception).isTrue();
    }
}
