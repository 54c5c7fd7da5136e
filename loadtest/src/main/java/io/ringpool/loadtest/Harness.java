package io.ringpool.loadtest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Drives one kind of request at saturation (closed loop) or at a fixed offered rate (open loop)
 * and records latency in an HdrHistogram (µs).
 *
 * <p>Open loop is coordinated-omission aware: request i is due at {@code start + i / rate}, and its
 * latency is measured from that due time, not from when it was actually written. If the server (or
 * the generator) falls behind, requests wait for a connection and the wait is part of their latency,
 * as it would be for real visitors who do not slow down because the server did.
 */
final class Harness {

    /** Produces request number {@code i}; must not block. */
    interface RequestSource extends LongFunction<CompletableFuture<LoadClient.Reply>> {}

    /** What one phase measured. {@code ok} = 2xx answers; {@code rejected} = other statuses; {@code failed} = no answer. */
    record Phase(String name, String mode, double offeredRate, double seconds, long ok, long rejected, long failed,
            Histogram latencyMicros) {
        double rate() {
            return ok / seconds;
        }

        double ms(double percentile) {
            return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        Map<String, Object> toJson(double healthRate) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("mode", mode);
            m.put("offeredRate", offeredRate);
            m.put("seconds", seconds);
            m.put("ok", ok);
            m.put("rejected", rejected);
            m.put("failed", failed);
            m.put("rate", rate());
            m.put("ratioToHealth", healthRate > 0 ? rate() / healthRate : null);
            m.put("p50ms", ms(50));
            m.put("p99ms", ms(99));
            m.put("p999ms", ms(99.9));
            m.put("maxMs", latencyMicros.getMaxValue() / 1000.0);
            return m;
        }
    }

    private final Progress progress;

    Harness(Progress progress) {
        this.progress = progress;
    }

    /** Saturation: {@code connections} loops, each sending its next request as soon as the last is answered. */
    Phase closedLoop(String name, RequestSource source, int connections, double seconds) {
        return closedLoop(name, source, connections, seconds, Long.MAX_VALUE);
    }

    /** As above, stopping after {@code budget} requests (or {@code seconds}, whichever comes first). */
    Phase closedLoop(String name, RequestSource source, int connections, double seconds, long budget) {
        Histogram h = new ConcurrentHistogram(3_600_000_000L, 3);
        AtomicLong next = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong inFlight = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        for (int c = 0; c < connections; c++) {
            inFlight.incrementAndGet();
            loop(source, next, deadline, budget, h, ok, rejected, failed, inFlight);
        }
        while (inFlight.get() > 0 && System.nanoTime() < deadline + 10_000_000_000L) {
            LockSupport.parkNanos(1_000_000);
        }
        double took = (System.nanoTime() - start) / 1e9;
        failed.addAndGet(inFlight.get());
        return new Phase(name, "closed", 0, Math.max(seconds, took), ok.get(), rejected.get(), failed.get(), h);
    }

    private void loop(RequestSource source, AtomicLong next, long deadline, long budget, Histogram h, AtomicLong ok, AtomicLong rejected,
            AtomicLong failed, AtomicLong inFlight) {
        long sent = System.nanoTime();
        long i = next.getAndIncrement();
        if (sent >= deadline || i >= budget) {
            inFlight.decrementAndGet();
            return;
        }
        source.apply(i).whenComplete((r, e) -> {
            record(h, sent, r, e, ok, rejected, failed);
            loop(source, next, deadline, budget, h, ok, rejected, failed, inFlight);
        });
    }

    private void record(Histogram h, long from, LoadClient.Reply r, Throwable e, AtomicLong ok, AtomicLong rejected, AtomicLong failed) {
        long micros = Math.max(1, (System.nanoTime() - from) / 1000);
        progress.requests.increment();
        if (e != null) {
            failed.incrementAndGet();
            progress.errors.increment();
            return;
        }
        h.recordValue(Math.min(micros, h.getHighestTrackableValue()));
        if (r.status() / 100 == 2) {
            ok.incrementAndGet();
        } else {
            if (rejected.incrementAndGet() == 1) {
                System.err.printf("%nfirst non-2xx answer: %d %s%n", r.status(), r.text());
            }
            progress.errors.increment();
        }
    }

    /** Fixed offered rate; latency from each request's due time (see the class comment). */
    Phase openLoop(String name, RequestSource source, double rate, double seconds) {
        Histogram h = new ConcurrentHistogram(3_600_000_000L, 3);
        AtomicLong ok = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong inFlight = new AtomicLong();
        long total = (long) (rate * seconds);
        double intervalNanos = 1e9 / rate;
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long due = start + (long) (i * intervalNanos);
            long wait = due - System.nanoTime();
            if (wait > 50_000) {
                LockSupport.parkNanos(wait);
            }
            inFlight.incrementAndGet();
            source.apply(i).whenComplete((r, e) -> {
                record(h, due, r, e, ok, rejected, failed);
                inFlight.decrementAndGet();
            });
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inFlight.get() > 0 && System.nanoTime() < end) {
            LockSupport.parkNanos(1_000_000);
        }
        failed.addAndGet(inFlight.get());
        return new Phase(name, "open", rate, seconds, ok.get(), rejected.get(), failed.get(), h);
    }
}
