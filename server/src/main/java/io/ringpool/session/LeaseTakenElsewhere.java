package io.ringpool.session;

/**
 * A start was about to resume a session from memory that the store no longer gives to its
 * visitor: another node took its lease over (or ended it), or, with {@code leaseStillHere}, the
 * lease is still this node's but its claim on the visitor was superseded (its stored expiry had
 * passed, and the visitor started anew elsewhere). Thrown inside a group-commit write, so nothing
 * of that write is stored.
 */
final class LeaseTakenElsewhere extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final boolean leaseStillHere;

    LeaseTakenElsewhere(boolean leaseStillHere) {
        super("the session is no longer this visitor's on this node", null, false, false);
        this.leaseStillHere = leaseStillHere;
    }
}
