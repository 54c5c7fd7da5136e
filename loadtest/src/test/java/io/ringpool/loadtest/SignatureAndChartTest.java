package io.ringpool.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignatureAndChartTest {

    @Test
    void callEventsAreSignedAsDocsCallsMdSays() throws Exception {
        String body = "{\"callId\":\"x\"}";
        var mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("whsec_k".getBytes(), "HmacSHA256"));
        String hex = java.util.HexFormat.of().formatHex(mac.doFinal(("1700000000." + body).getBytes()));
        assertThat(ServerApi.signed("whsec_k", 1_700_000_000L, body)).containsEntry("X-Ringpool-Signature", "t=1700000000,v1=" + hex);
    }

    @Test
    void numbersAreDistinctE164() {
        List<String> n = ServerApi.numbers("800", 9_990_000, 3);
        assertThat(n).containsExactly("+78009990000", "+78009990001", "+78009990002");
    }

    @Test
    void numbersPastTheTopOfTheirPrefixWrapAroundAndKeepElevenDigits() {
        List<String> n = ServerApi.numbers("800", 9_999_999, 3);
        assertThat(n).containsExactly("+78009999999", "+78000000000", "+78000000001");
    }

    @Test
    void theSweepChartHasALinePerOutcome() {
        Map<String, Object> acc = Map.of("correctShare", 0.9, "wrongShare", 0.05, "unknownShare", 0.05);
        String svg = SweepChart.svg(100, List.of(Map.of("poolSize", 50, "accuracy", acc), Map.of("poolSize", 100, "accuracy", acc)));
        assertThat(svg).startsWith("<svg").contains("correct", "wrong", "unknown", "recommended").endsWith("</svg>\n");
        assertThat(svg.split("<polyline").length - 1).isEqualTo(3);
    }

    @Test
    void optionsRejectTyposAndRecordWhatWasUsed() {
        Options o = new Options(new String[] {"--seed=3", "--visitors-per-day", "100", "--sede=4"});
        assertThat(o.longOpt("seed", 42, "")).isEqualTo(3);
        assertThat(o.dbl("visitors-per-day", 1, "")).isEqualTo(100);
        assertThat(o.used()).containsEntry("seed", "3");
        org.assertj.core.api.Assertions.assertThatThrownBy(o::rejectUnknown).hasMessageContaining("--sede");
    }
}
