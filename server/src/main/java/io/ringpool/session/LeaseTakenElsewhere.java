package io.ringpool.session;

/**
 * The store refused this node's write of a lease it holds in memory: another node took the lease
 * over (or ended it). Thrown inside a group-commit write, so nothing of that write is stored.
 */
final class LeaseTakenElsewhere extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LeaseTakenElsewhere() {
        super("the lease is no longer this node's", null, false, false);
    }
}
