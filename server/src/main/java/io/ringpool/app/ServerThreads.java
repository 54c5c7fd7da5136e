package io.ringpool.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.config.RingpoolConfig;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's own threads, each pool named so a thread dump tells them apart, all daemons (a
 * failed start must not keep the process alive). Bounded queues that refuse when full: a request
 * refused is answered 503 at once, where an unbounded queue would let answers age past use.
 * Built by the start on the thread that runs it; the pools' threads are created on first use.
 */
final class ServerThreads {
    /** Threads answering store-free webhooks; each answer is a map lookup and one fsync. */
    static final int CALL_LANE_THREADS = 4;

    private ServerThreads() {
    }

    /** The HTTP workers ({@code ringpool-worker-N}); their queue is the gauge {@code ringpool.http.worker.queue}. */
    static ThreadPoolExecutor workers(RingpoolConfig.Server server, MeterRegistry registry) {
        ThreadPoolExecutor workers = bounded(server.workerThreads(), server.workerQueue(), "ringpool-worker-");
        registry.gauge("ringpool.http.worker.queue", workers, w -> w.getQueue().size());
        return workers;
    }

    /** The report workers ({@code ringpool-report-N}); their queue is the gauge {@code ringpool.http.report.queue}. */
    static ThreadPoolExecutor reportWorkers(RingpoolConfig.Server server, MeterRegistry registry) {
        // Half the cores by default: reports are CPU work, and the visitors need a core of their own.
        int reportThreads = server.reportThreads() > 0 ? server.reportThreads()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        ThreadPoolExecutor reportWorkers = bounded(reportThreads, server.reportQueue(), "ringpool-report-");
        registry.gauge("ringpool.http.report.queue", reportWorkers, w -> w.getQueue().size());
        return reportWorkers;
    }

    /**
     * Webhooks answered from memory ({@code ringpool-call-lane-N}): with a slow store every shared
     * worker may be waiting for a connection, and a ringing call must not queue behind them.
     */
    static ThreadPoolExecutor callLane() {
        return bounded(CALL_LANE_THREADS, 1024, "ringpool-call-lane-");
    }

    /**
     * Provider notifications' store writes ({@code ringpool-webhook-store-N}), as many as the
     * workers that wait for them: a worker stops waiting after a few seconds and journals the
     * events instead (audit AN3 F5), so with the store's tables locked these threads are the ones
     * held, and once they and their queue are taken a notification is journaled at once.
     */
    static ThreadPoolExecutor webhookStore(RingpoolConfig.Server server) {
        return bounded(server.workerThreads(), server.workerQueue(), "ringpool-webhook-store-");
    }

    /** One scheduled thread under the given name ({@code ringpool-sweeper}, {@code ringpool-report-refresh}). */
    static ScheduledExecutorService scheduled(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name(name).daemon(true).unstarted(r));
    }

    /** The cluster's two threads ({@code ringpool-cluster}): a slow reload must not delay the beat that keeps this node's leases. */
    static ScheduledExecutorService cluster() {
        return Executors.newScheduledThreadPool(2, r -> Thread.ofPlatform().name("ringpool-cluster").daemon(true).unstarted(r));
    }

    private static ThreadPoolExecutor bounded(int threads, int queue, String namePrefix) {
        AtomicInteger number = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                r -> Thread.ofPlatform().name(namePrefix + number.incrementAndGet()).daemon(true).unstarted(r),
                new ThreadPoolExecutor.AbortPolicy());
    }
}
