package io.ringpool.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** A failed request out, in the words a webhook's lastError shows: no Java class names, no JDK internals. */
class NetworkFailureTest {

    @Test
    void theCommonFailuresAreNamedInPlainWords() {
        // Found by BadInputSweepTest: GET /v1/sites/{siteId}/webhooks showed "ConnectException: Connection refused".
        assertThat(NetworkFailure.describe(new ConnectException("Connection refused"))).isEqualTo("connection refused");
        assertThat(NetworkFailure.describe(new SocketTimeoutException("Read timed out"))).isEqualTo("no answer within the timeout");
        assertThat(NetworkFailure.describe(new HttpConnectTimeoutException("HTTP connect timed out")))
                .isEqualTo("no answer within the timeout");
        assertThat(NetworkFailure.describe(new UnknownHostException("hooks.example.invalid")))
                .isEqualTo("unknown host hooks.example.invalid");
        assertThat(NetworkFailure.describe(new SocketException("Connection reset"))).isEqualTo("connection reset");
    }

    @Test
    void tlsMessagesWhichQuoteJdkClassesAreNotPassedOn() {
        String jdk = "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid"
                + " certification path to requested target";

        assertThat(NetworkFailure.describe(new SSLHandshakeException(jdk))).isEqualTo("TLS failed (certificate or handshake)");
    }

    @Test
    void ourOwnRefusalsKeepTheirWordsAndAnythingElseIsANetworkError() {
        assertThat(NetworkFailure.describe(new IOException("bad status line: HTTP/9"))).isEqualTo("bad status line: HTTP/9");
        assertThat(NetworkFailure.describe(new OutboundHttp.AddressRefused("127.0.0.1 is a loopback address")))
                .isEqualTo("127.0.0.1 is a loopback address");
        assertThat(NetworkFailure.describe(new java.io.EOFException("sun.nio.ch.Something"))).isEqualTo("network error");
    }
}
