package io.ringpool.inbound;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The absolute URLs a provider that signs the URL it calls (Twilio, SignalWire, Plivo) may have
 * signed for one request. Such a provider signs the URL configured in its console, byte for byte,
 * so the candidates are built from the request target exactly as it arrived: the path and query
 * still percent-encoded as the provider sent them. Decoding and re-encoding them would change what
 * is compared ({@code %20} would come back as {@code +}, {@code ~} as {@code %7E}, a bare
 * {@code ?flag} as {@code ?flag=}) and refuse genuine signatures.
 *
 * <p>Candidates, in order: the public URL + target, the one the error message names; then, only
 * when {@code server.publicUrl} is not configured, {@code https://} and {@code http://} + the
 * {@code Host} header + target. Without a configured URL the server's own guess
 * ({@code http://localhost:<port>}) is no URL a provider calls, and the {@code Host} a transparent
 * proxy passes on is the best evidence of the one it does. With one configured, it is the URL: a
 * request signed for another (another deployment or app sharing the account's token, reached
 * under another {@code Host}) is not accepted (audit AB2 #4).
 */
public final class SignedUrls {
    /** A Host header worth building a URL from: a name or an address, an optional port, nothing else. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]-]+");

    private SignedUrls() {}

    /**
     * @param publicUrl the configured external base URL, without a trailing '/'
     * @param target    the request target as received (path and query, percent-encoded as sent)
     * @param host      the request's Host header, or null; pass null when {@code server.publicUrl} is configured
     */
    public static Set<String> of(String publicUrl, String target, String host) {
        Set<String> urls = new LinkedHashSet<>();
        urls.add(publicUrl + target);
        if (host != null && HOST.matcher(host).matches()) {
            urls.add("https://" + host + target);
            urls.add("http://" + host + target);
        }
        return urls;
    }
}
