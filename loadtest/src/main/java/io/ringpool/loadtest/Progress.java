package io.ringpool.loadtest;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The live progress line of a long run, rewritten once a second on stderr: elapsed time, requests
 * done, their rate over the last second, errors, and whatever the scenario adds (simulated time,
 * phase). Counters are {@link LongAdder}s: bumped from event-loop threads without contention.
 */
final class Progress implements AutoCloseable {
    final LongAdder requests = new LongAdder();
    final LongAdder errors = new LongAdder();
    private final String name;
    private final Supplier<String> extra;
    private final long start = System.nanoTime();
    private final Thread printer;
    private volatile boolean running = true;

    Progress(String name, Supplier<String> extra) {
        this.name = name;
        this.extra = extra;
        this.printer = Thread.ofPlatform().daemon(true).name("progress").start(this::loop);
    }

    private void loop() {
        long lastCount = 0;
        long lastAt = System.nanoTime();
        while (running) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long count = requests.sum();
            double rate = (count - lastCount) / ((now - lastAt) / 1e9);
            lastCount = count;
            lastAt = now;
            System.err.printf("\r[%s] %6.1fs  %,d req  %,.0f req/s  errors %d  %s   ", name, (now - start) / 1e9, count, rate,
                    errors.sum(), extra.get());
        }
    }

    double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() {
        running = false;
        printer.interrupt();
        System.err.printf("\r[%s] done in %.1fs, %,d requests, %d errors%n", name, elapsedSeconds(), requests.sum(), errors.sum());
    }
}
