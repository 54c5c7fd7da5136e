package io.ringpool.snippet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The script's requests against the rules of the common filter lists that matched any of them
 * (and the nearest ones that did not), kept here as data: the lists themselves are not in the
 * repository. Whole-list figures and the command that produced them: js-snippet/README.md, "When ad
 * blockers are in the way" ({@link FilterListMeasurement}). A list that changes does not fail this
 * test; it records what was measured and that the matcher and the script's URLs still agree with it.
 */
class ScriptRequestsAgainstFilterRulesTest {
    /** A rule and where it was read. */
    record ListedRule(String rule, String source) {
    }

    private static final String EASYPRIVACY = "EasyPrivacy 202607200541 (7h3v01d/blackline-browser@0fcd2f5 easyprivacy.txt)";
    private static final String RU_COUNTERS = "RU AdList Counters (easylist/ruadlist@6e6dad1 cntblock.txt)";

    /**
     * Every rule of the measured lists that matched a request of the script somewhere (the first one
     * only the sendBeacon requests of a browser without fetch keepalive, since 2026-12).
     */
    static final List<ListedRule> MATCHED = List.of(
            new ListedRule("$ping,third-party", EASYPRIVACY + ", section easyprivacy_trackingservers.txt"),
            new ListedRule("://tracker.*/pageview", EASYPRIVACY + ", section easyprivacy_general.txt"),
            new ListedRule("/zaraz/s.js", EASYPRIVACY + ", section easyprivacy_general.txt"),
            new ListedRule("/counter^$domain=~av.by|~bspb.ru|~foxford.ru|~goodgame.ru|~itpc.ru|~mgazeta.com|~tgc-2.ru",
                    RU_COUNTERS),
            new ListedRule("://counter.$domain=~tengrinews.kz|~vesti.kz", RU_COUNTERS));

    /** Rules that share a word with our paths and do not match them: the margin we have. */
    static final List<ListedRule> NEAR = List.of(
            new ListedRule("/pageviews?token=", EASYPRIVACY),
            new ListedRule("/pageviews.gif?", EASYPRIVACY),
            new ListedRule("/track/pageviews/*", EASYPRIVACY),
            new ListedRule("://analytics.*/pageview/", EASYPRIVACY),
            new ListedRule("://collect.*/pageview", EASYPRIVACY),
            new ListedRule("/api/pageview/*$ping", EASYPRIVACY),
            new ListedRule("/adobe/VideoHeartbeat.", EASYPRIVACY),
            new ListedRule("||api.gleap.io/sessions/ping", EASYPRIVACY),
            new ListedRule("/analytics/call-tracking.js", EASYPRIVACY),
            new ListedRule("/lead-tracking/*", "AdGuard Tracking Protection (AdguardTeam/AdguardFilters@0060bcb "
                    + "SpywareFilter/sections/general_url.txt)"),
            new ListedRule("/submission/pageview", "AdGuard Tracking Protection, as above"));

    /** The requests of a current browser, with Ringpool at {@code base}, that one of {@code rules} matches. */
    private static List<String> blocked(String base, List<ListedRule> rules) {
        return blocked(base, ScriptRequests.from(base), rules);
    }

    private static List<String> blocked(String base, List<FilterRule.Request> requests, List<ListedRule> rules) {
        return requests.stream()
                .filter(request -> rules.stream().anyMatch(r -> FilterRule.parse(r.rule()).orElseThrow().matches(request)))
                .map(request -> request.type() + " " + request.url().substring(base.length()))
                .collect(Collectors.toList());
    }

    @Test
    void onItsOwnHostNoRequestOfTheScriptMatchesAnyRuleSinceTheBeaconsGoByFetch() {
        for (ScriptRequests.Placement placement : List.of(ScriptRequests.Placement.THIRD_PARTY_NEUTRAL_HOST,
                ScriptRequests.Placement.THIRD_PARTY_TRACK_HOST)) {
            assertThat(ScriptRequests.from(placement.base)).as(placement.name())
                    .extracting(FilterRule.Request::type).doesNotContain("ping");
            assertThat(blocked(placement.base, MATCHED)).as(placement.name()).isEmpty();
        }
    }

    @Test
    void aBrowserWithoutFetchKeepaliveStillSendsThirdPartyPingsThatEasyPrivacyRefuses() {
        String id = ScriptRequests.SESSION_ID, base = ScriptRequests.Placement.THIRD_PARTY_NEUTRAL_HOST.base;
        assertThat(blocked(base, ScriptRequests.withoutKeepalive(base), MATCHED)).containsExactly(
                "ping v1/sessions/" + id + "/end", "ping v1/sessions/" + id + "/leads");
        assertThat(blocked(base, ScriptRequests.withoutKeepalive(base), List.of(MATCHED.get(0)))).as("by $ping,third-party")
                .hasSize(2);
    }

    @Test
    void onThePagesOwnOriginTheBeaconsGoBySendBeaconFirstAndFetchWhenItRefuses() {
        assertThat(ScriptRequests.from(ScriptRequests.Placement.FIRST_PARTY_PREFIX.base))
                .filteredOn(r -> r.url().endsWith("/leads")).extracting(FilterRule.Request::type)
                .containsExactly("ping", "xmlhttprequest");
        // another origin of the same site: the script takes it for another origin (fetch), a blocker for first party
        assertThat(ScriptRequests.from("https://calls.shop.example/"))
                .filteredOn(r -> r.url().endsWith("/end")).extracting(FilterRule.Request::type)
                .containsExactly("xmlhttprequest");
        assertThat(ScriptRequests.sameOrigin("https://shop.example.evil.com/", ScriptRequests.PAGE)).isFalse();
        assertThat(ScriptRequests.sameOrigin("https://shop.example:8443/", ScriptRequests.PAGE)).isFalse();
        assertThat(ScriptRequests.sameOrigin("https://shop.example/", ScriptRequests.PAGE)).isTrue();
    }

    @Test
    void servedFirstPartyNoRequestOfTheScriptIsBlockedUnderAPrefixOrAtTheRoot() {
        assertThat(blocked(ScriptRequests.Placement.FIRST_PARTY_PREFIX.base, MATCHED)).isEmpty();
        assertThat(blocked(ScriptRequests.Placement.FIRST_PARTY_ROOT.base, MATCHED)).isEmpty();
        assertThat(blocked("https://calls.shop.example/", MATCHED)).isEmpty();
    }

    @Test
    void theOperatorsChoiceOfHostOrPrefixIsWhatGenericRulesCatch() {
        String id = ScriptRequests.SESSION_ID;
        assertThat(blocked("https://tracker.example-agency.com/", MATCHED))
                .contains("xmlhttprequest v1/sessions/" + id + "/pageviews");
        assertThat(blocked("https://counter.example-agency.com/", MATCHED)).hasSize(8);
        assertThat(blocked("https://shop.example/counter/", MATCHED)).hasSize(10);
        assertThat(blocked("https://shop.example/zaraz/", MATCHED)).containsExactly("script s.js", "script s.js?v=2");
    }

    @Test
    void theRulesNearestToOurPathsMatchNoneOfThemWhereverRingpoolIs() {
        for (ScriptRequests.Placement placement : ScriptRequests.Placement.values()) {
            assertThat(blocked(placement.base, NEAR)).as(placement.name()).isEmpty();
            assertThat(blocked(placement.base, ScriptRequests.withoutKeepalive(placement.base), NEAR)).as(placement.name()).isEmpty();
        }
    }

    @Test
    void theNearRulesDoMatchTheUrlsTheyWereWrittenFor() {
        // so that the test above cannot pass by the matcher matching nothing
        assertThat(FilterRule.parse("/pageviews?token=").orElseThrow()
                .matches(new FilterRule.Request("https://x.com/pageviews?token=1", "xmlhttprequest", ScriptRequests.PAGE)))
                .isTrue();
        assertThat(FilterRule.parse("/lead-tracking/*").orElseThrow()
                .matches(new FilterRule.Request("https://x.com/lead-tracking/a.js", "script", ScriptRequests.PAGE)))
                .isTrue();
        assertThat(FilterRule.parse("/api/pageview/*$ping").orElseThrow()
                .matches(new FilterRule.Request("https://shop.example/api/pageview/1", "ping", ScriptRequests.PAGE)))
                .isTrue();
    }
}
