package io.ringpool.http;

import io.ringpool.failure.DomainFailure;

/**
 * Recognises the faults an endpoint may throw that are not {@link DomainFailure}s but still have
 * an answer (the store is down or overloaded), as the domain failure to report. The composition
 * root supplies it, so this package need not know the store's exceptions. Returns null for
 * anything it does not recognise (a bug: 500).
 */
@FunctionalInterface
public interface FailureMapper {
    DomainFailure map(Throwable failure);
}
