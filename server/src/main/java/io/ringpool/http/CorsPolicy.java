package io.ringpool.http;

/**
 * Decides which browser origins may call the script endpoints. Implemented by the site registry:
 * the HTTP layer knows nothing of sites.
 */
public interface CorsPolicy {

    /** May a preflight from {@code origin} proceed? Called on the event loop: must not block. */
    boolean mayPreflight(String origin);

    /**
     * The status with which a script endpoint refuses a page whose origin is not one of its site's
     * domains ({@code origin_not_allowed}: each endpoint checks its own site, which this layer does
     * not know). On the script routes a 403 means nothing else, and it never carries
     * {@code Access-Control-Allow-Origin}: the refused page is not invited to read it.
     */
    int ORIGIN_REFUSED = 403;

    /**
     * Whether an answer of this status on a script route may invite the page to read it. Not a
     * refusal of its origin, and not a request that could not be read (400: no JSON object, so no
     * site key or session to check the origin against; 415: a body of another type): a page of
     * another origin must not read how its body was parsed (audit AB1 #2), and the site script
     * never reads those answers.
     */
    static boolean invitesToRead(int status) {
        return status != ORIGIN_REFUSED && status != 400 && status != 415;
    }

    /**
     * As {@link #invitesToRead(int)}, and a session start's other refusals (4xx) are not readable
     * either: a start whose {@code siteKey} is missing, malformed or not (yet) known to this node has
     * no site whose domains could have confirmed the page's origin (audit AB1 #2's remainder). The
     * script reads nothing of a refused start (no number in it: the page keeps its own), so its own
     * pages lose nothing. The session routes keep their readable 404 and 410: the script starts a
     * new session on them.
     */
    static boolean invitesToRead(String path, int status) {
        if (SESSION_START.equals(path) && status >= 400 && status < 500) {
            return false;
        }
        return invitesToRead(status);
    }

    String SESSION_START = "/v1/sessions";

    /** Origins sent by browsers for the script endpoints are echoed back when allowed, except as {@link #invitesToRead} says. */
    default boolean appliesTo(String path) {
        return RouteKind.of(path) == RouteKind.SCRIPT;
    }
}
