package io.ringpool.site;

import java.util.concurrent.CompletableFuture;

/**
 * How a node that does not know a site yet catches up with what other nodes changed, at once
 * rather than at its next change poll: a site created through node A is then usable through node
 * B on the very next request. One node alone has nothing to catch up with ({@link #NONE}).
 */
@FunctionalInterface
public interface SiteCatchUp {
    /** One node alone: whatever it does not know does not exist. */
    SiteCatchUp NONE = () -> null;

    /**
     * Completes once this node has applied every change committed before the call (or once it has
     * tried: it never completes exceptionally); null when there is nothing to catch up with.
     */
    CompletableFuture<Void> catchUp();
}
