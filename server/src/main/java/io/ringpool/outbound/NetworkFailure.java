package io.ringpool.outbound;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Why a request out failed, in words for the marketer who reads a webhook's or an upload's
 * {@code lastError} in the API: "connection refused", not {@code java.net.ConnectException}. Class
 * names and the JDK's own wording (TLS messages quote internal classes) stay in the log.
 */
public final class NetworkFailure {
    /** Longest message of ours passed through; ours are short, this only bounds a surprise. */
    private static final int MAX_CHARS = 200;

    private NetworkFailure() {}

    public static String describe(IOException e) {
        if (e instanceof OutboundHttp.AddressRefused refused) {
            return refused.getMessage();
        }
        if (e instanceof UnknownHostException) {
            return "unknown host" + (e.getMessage() == null ? "" : " " + e.getMessage());
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return "connection refused";
        }
        if (e instanceof SocketTimeoutException || e instanceof HttpTimeoutException) {
            return "no answer within the timeout";
        }
        if (e instanceof SSLException) {
            return "TLS failed (certificate or handshake)";
        }
        if (e instanceof SocketException) {
            String m = e.getMessage();
            return m == null ? "connection failed" : m.toLowerCase(Locale.ROOT);
        }
        if (e.getClass() == IOException.class && e.getMessage() != null) {
            // OutboundHttp's own refusals ("bad status line: …", "connection closed before the response was complete")
            String m = e.getMessage();
            return m.length() > MAX_CHARS ? m.substring(0, MAX_CHARS) + "…" : m;
        }
        return "network error";
    }
}
