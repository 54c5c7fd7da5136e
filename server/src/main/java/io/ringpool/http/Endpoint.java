package io.ringpool.http;

/**
 * Handles one routed request. Runs on a worker thread (never an event loop), so it may block on
 * the database; the script's frequent requests use {@link NonBlockingEndpoint} instead. It returns a response or throws a {@link io.ringpool.failure.DomainFailure} for expected failures
 * ({@link FailureResponses} answers it).
 */
@FunctionalInterface
public interface Endpoint {
    Response handle(Request request) throws Exception;
}
