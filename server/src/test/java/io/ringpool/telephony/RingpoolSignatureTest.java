package io.ringpool.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.telephony.RingpoolSignature.Result;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RingpoolSignatureTest {

    static final long NOW = 1_795_000_000L;
    static final String SECRET = "whsec_test";
    static final byte[] BODY = "{\"callId\":\"c1\",\"event\":\"ringing\"}".getBytes(StandardCharsets.UTF_8);

    final RingpoolSignature verifier = new RingpoolSignature(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

    @Test
    void signMatchesAnIndependentHmacSha256() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(
                mac.doFinal((NOW + "." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
        assertThat(RingpoolSignature.sign(SECRET, NOW, BODY)).isEqualTo("t=" + NOW + ",v1=" + expected);
    }

    @Test
    void acceptsItsOwnSignature() {
        assertThat(verifier.verify(RingpoolSignature.sign(SECRET, NOW, BODY), BODY, SECRET)).isEqualTo(Result.VALID);
    }

    @Test
    void acceptsUpperCaseHexAndSpacesAroundParts() {
        String header = RingpoolSignature.sign(SECRET, NOW, BODY).toUpperCase().replace("T=", " t = ").replace(",V1=", " , v1=");
        assertThat(verifier.verify(header, BODY, SECRET)).isEqualTo(Result.VALID);
    }

    @Test
    void acceptsFiveMinutesOffEitherWayButNotOneSecondMore() {
        assertThat(verifier.verify(RingpoolSignature.sign(SECRET, NOW - 300, BODY), BODY, SECRET)).isEqualTo(Result.VALID);
        assertThat(verifier.verify(RingpoolSignature.sign(SECRET, NOW + 300, BODY), BODY, SECRET)).isEqualTo(Result.VALID);
        assertThat(verifier.verify(RingpoolSignature.sign(SECRET, NOW - 301, BODY), BODY, SECRET)).isEqualTo(Result.STALE);
        assertThat(verifier.verify(RingpoolSignature.sign(SECRET, NOW + 301, BODY), BODY, SECRET)).isEqualTo(Result.STALE);
    }

    @Test
    void aTamperedBodyIsAMismatch() {
        String header = RingpoolSignature.sign(SECRET, NOW, BODY);
        byte[] tampered = "{\"callId\":\"c2\",\"event\":\"ringing\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(verifier.verify(header, tampered, SECRET)).isEqualTo(Result.MISMATCH);
    }

    @Test
    void aChangedTimestampIsAMismatchNotStale() {
        String header = RingpoolSignature.sign(SECRET, NOW - 1000, BODY).replace("t=" + (NOW - 1000), "t=" + NOW);
        assertThat(verifier.verify(header, BODY, SECRET)).isEqualTo(Result.MISMATCH);
    }

    @Test
    void aForgedOldRequestIsAMismatchNotStale() {
        assertThat(verifier.verify(RingpoolSignature.sign("other", NOW - 1000, BODY), BODY, SECRET))
                .isEqualTo(Result.MISMATCH);
    }

    @Test
    void anotherSecretIsAMismatch() {
        assertThat(verifier.verify(RingpoolSignature.sign("other", NOW, BODY), BODY, SECRET)).isEqualTo(Result.MISMATCH);
    }

    @Test
    void acceptsAnyOfSeveralV1EntriesDuringSecretRotation() {
        String oldSig = RingpoolSignature.sign("old", NOW, BODY);
        String newSig = RingpoolSignature.sign("new", NOW, BODY);
        String both = oldSig + "," + newSig.substring(newSig.indexOf("v1="));
        assertThat(verifier.verify(both, BODY, "new")).isEqualTo(Result.VALID);
        assertThat(verifier.verify(both, BODY, "old")).isEqualTo(Result.VALID);
        assertThat(verifier.verify(both, BODY, "other")).isEqualTo(Result.MISMATCH);
    }

    @Test
    void acceptsAnyOfSeveralSiteSecrets() {
        String header = RingpoolSignature.sign("old", NOW, BODY);
        assertThat(verifier.verify(header, BODY, List.of("new", "old"))).isEqualTo(Result.VALID);
        assertThat(verifier.verify(header, BODY, List.of("new"))).isEqualTo(Result.MISMATCH);
        assertThat(verifier.verify(header, BODY, List.of())).isEqualTo(Result.MISMATCH);
    }

    @Test
    void ignoresUnknownSchemes() {
        String header = "v0=abc," + RingpoolSignature.sign(SECRET, NOW, BODY);
        assertThat(verifier.verify(header, BODY, SECRET)).isEqualTo(Result.VALID);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  "})
    void noHeaderIsMissing(String header) {
        assertThat(verifier.verify(header, BODY, SECRET)).isEqualTo(Result.MISSING);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "garbage",
        "t=1795000000",
        "v1=0000000000000000000000000000000000000000000000000000000000000000",
        "t=abc,v1=0000000000000000000000000000000000000000000000000000000000000000",
        "t=-5,v1=0000000000000000000000000000000000000000000000000000000000000000",
        "t=1795000000,v1=zz",
        "t=1795000000,v1=00",
        "t=1,t=2,v1=0000000000000000000000000000000000000000000000000000000000000000",
        "t=99999999999999999999,v1=0000000000000000000000000000000000000000000000000000000000000000",
        "t=1795000000,,v1=0000000000000000000000000000000000000000000000000000000000000000",
    })
    void malformedHeadersAreMalformed(String header) {
        assertThat(verifier.verify(header, BODY, SECRET)).isEqualTo(Result.MALFORMED);
    }

    @Test
    void anEnormousHeaderIsMalformed() {
        assertThat(verifier.verify("t=1," + "x".repeat(5000), BODY, SECRET)).isEqualTo(Result.MALFORMED);
    }

    @Test
    void resultsHaveLowerCaseWireNames() {
        assertThat(Result.STALE.wireName()).isEqualTo("stale");
        assertThat(Result.VALID.isValid()).isTrue();
        assertThat(Result.MISMATCH.isValid()).isFalse();
    }
}
