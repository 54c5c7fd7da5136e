package io.ringpool.session;

/**
 * A visit without a lease was about to be stored while its visitor holds a live lease in the
 * store (taken on another node): the start joins that session instead. Thrown inside the
 * group-commit write, so nothing of the visit is stored.
 */
final class VisitorLiveElsewhere extends RuntimeException {
    private static final long serialVersionUID = 1L;

    VisitorLiveElsewhere() {
        super("the visitor has a live session in the store", null, false, false);
    }
}
