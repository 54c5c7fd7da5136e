package io.ringpool.account;

import io.ringpool.http.Request;
import java.util.List;

/**
 * The session cookie: its name, how it is set, and how a request's one is read.
 *
 * <p>On an HTTPS public URL it is {@code __Host-ringpool_session}. A page on a sibling subdomain
 * could set a plain {@code ringpool_session} for the whole parent domain with a narrower path,
 * which the browser then sends first, and the server took it: the victim worked in the attacker's
 * account from then on (audit AN4 F17, cookie tossing). Browsers accept a {@code __Host-} cookie
 * only from the host itself, with {@code Secure}, {@code Path=/} and no {@code Domain}, so no
 * sibling can plant one. Over plain HTTP (local use) browsers refuse {@code Secure} cookies, so
 * the plain name stays there. Either way a request that carries the session cookie twice is
 * refused as signed out rather than guessed at: which of the two is the person's own cannot be told.
 */
public final class SessionCookie {
    /** The name over plain HTTP. */
    public static final String PLAIN = "ringpool_session";
    /** The name when the public URL is HTTPS. */
    public static final String HOST_ONLY = "__Host-" + PLAIN;

    private final boolean secure;

    public SessionCookie(String publicUrl) {
        this.secure = publicUrl.regionMatches(true, 0, "https:", 0, 6);
    }

    public String name() {
        return secure ? HOST_ONLY : PLAIN;
    }

    /** The {@code Set-Cookie} value that sets (or, with an empty value and 0, clears) the session. */
    public String setCookie(String value, long maxAgeSeconds) {
        return name() + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /**
     * The request's session token, or null when it carries none.
     *
     * @throws io.ringpool.failure.DomainFailure 401 {@code unauthorized} when it carries two
     */
    public String token(Request request) {
        List<String> values = request.cookies(name());
        if (values.size() > 1) {
            throw AccountFailures.twoSessions();
        }
        return values.isEmpty() ? null : values.get(0);
    }
}
