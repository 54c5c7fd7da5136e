package io.ringpool.http;

/**
 * Turns an exception an endpoint threw (other than {@link ApiException}) into a response. The
 * composition root supplies it, so the HTTP layer need not know the store's exceptions.
 */
@FunctionalInterface
public interface FailureMapper {
    Response map(Throwable failure);
}
