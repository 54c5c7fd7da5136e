package io.ringpool.http;

/**
 * Decides which browser origins may call the script endpoints. Implemented by the site registry:
 * the HTTP layer knows nothing of sites.
 */
public interface CorsPolicy {

    /** May a preflight from {@code origin} proceed? Called on the event loop: must not block. */
    boolean mayPreflight(String origin);

    /** Origins sent by browsers for the script endpoints are echoed back when allowed. */
    default boolean appliesTo(String path) {
        return RouteKind.of(path) == RouteKind.SCRIPT;
    }
}
