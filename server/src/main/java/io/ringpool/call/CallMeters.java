package io.ringpool.call;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The call path's meters: ingestion latency, and calls received, attributed and reattributed.
 * Counters are incremented only once a commit is known ({@link CallIngest}), never inside a write
 * that may be retried. Thread-safe: Micrometer's meters are, and registering a meter that exists
 * returns the existing one.
 */
final class CallMeters {
    private final MeterRegistry registry;
    private final Timer ingestLatency;

    CallMeters(MeterRegistry registry) {
        this.registry = registry;
        this.ingestLatency = Timer.builder("ringpool.calls.ingest.latency")
                .description("time to ingest one call event: verify the number, store, attribute, classify, commit")
                .publishPercentiles(0.5, 0.99).register(registry);
        // Every method's series exists from the start at 0: Prometheus' increase() cannot see a series' first value.
        for (AttributionMethod method : AttributionMethod.values()) {
            attributed(method);
            for (AttributionMethod to : AttributionMethod.values()) {
                if (to != method) {
                    reattributed(method, to);
                }
            }
        }
    }

    /** One ingestion's time, from {@link System#nanoTime()} at its start to now. */
    void ingestedSince(long startNanos) {
        ingestLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Registers {@code ringpool_calls_received_total} at 0 for every provider and status, so that
     * {@code increase()} sees the first call after a restart (audit P #10).
     */
    void countReceivedFromZero(List<String> providers) {
        for (String provider : providers) {
            for (CallState.Status status : CallState.Status.values()) {
                received(provider, status);
            }
        }
    }

    Counter received(String provider, CallState.Status status) {
        return Counter.builder("ringpool.calls.received").description("calls reaching each status, by provider")
                .tag("provider", provider).tag("status", status.wireName()).register(registry);
    }

    Counter attributed(AttributionMethod method) {
        return Counter.builder("ringpool.calls.attributed").description("new calls by attribution method")
                .tag("method", method.wireName()).register(registry);
    }

    /**
     * Calls whose method a late, earlier-timed event changed. {@code calls.attributed} counts a call
     * once, by its first decision, so it cannot follow one (a counter never goes down); an alert on
     * calls that end {@code none} reads both (audit U #5).
     */
    Counter reattributed(AttributionMethod from, AttributionMethod to) {
        return Counter.builder("ringpool.calls.reattributed").description("calls whose attribution method a later-arriving, "
                + "earlier-timed event changed, by the method before and after")
                .tag("from", from.wireName()).tag("to", to.wireName()).register(registry);
    }
}
