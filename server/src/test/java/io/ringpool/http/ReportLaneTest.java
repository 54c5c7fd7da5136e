package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportLaneTest {

    static Request request(String token, String ip) {
        return new Request("GET", "/v1/sites/st_1/reports/sources", "/v1/sites/{siteId}/reports/sources", Map.of(), Map.of(),
                token == null ? Map.of() : Map.of("authorization", "Bearer " + token), new byte[0], ip);
    }

    @Test
    void eachKeyGetsItsShareOfTheLaneAndGetsItBackWhenARequestEnds() {
        ReportLane lane = new ReportLane(r -> true, Runnable::run, 2);
        String a = ReportLane.keyOf(request("sk_a", "198.51.100.1"));
        String b = ReportLane.keyOf(request("sk_b", "198.51.100.1"));
        assertThat(lane.tryEnter(a)).isTrue();
        assertThat(lane.tryEnter(a)).isTrue();
        assertThat(lane.tryEnter(a)).isFalse();
        assertThat(lane.tryEnter(b)).as("another key").isTrue();
        lane.leave(a);
        assertThat(lane.tryEnter(a)).isTrue();
    }

    @Test
    void theKeyIsADigestOfTheTokenNeverTheTokenAndWithoutOneTheAddress() {
        assertThat(ReportLane.keyOf(request("sk_secret_token", "198.51.100.1"))).doesNotContain("sk_secret_token").startsWith("key:");
        assertThat(ReportLane.keyOf(request(null, "2001:db8:1:1::5"))).isEqualTo("ip:2001:db8:1:1::/64");
    }
}
