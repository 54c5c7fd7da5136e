package io.ringpool.concurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hand-offs to other threads' executors that a thread makes while it completes a batch, held and
 * delivered when the batch is done: one task per executor per batch instead of one per item.
 *
 * <p>Why: the group-commit thread completes the writes of a batch one after another, and each
 * completion hands its answer to the request's event loop. On the one core a node is sized for,
 * each hand-off to a sleeping event loop is a system call (an eventfd write) and a wake-up that
 * preempts the commit thread before its next completion: about six preemptions a batch were
 * counted at 9,000 session starts/s (docs/scaling.md, session 12). Held, a batch wakes each event
 * loop once, and that loop writes all of its answers in one turn.
 *
 * <p>Order is kept per executor: tasks handed to one executor during a batch run there in the
 * order they were handed. A thread outside {@link #holdWhile} hands off at once.
 */
public final class BatchHandoff {
    private static final Logger LOG = LoggerFactory.getLogger(BatchHandoff.class);
    private static final ThreadLocal<Held> HELD = new ThreadLocal<>();

    private BatchHandoff() {}

    /**
     * Runs {@code completions}; what they hand off through {@link #execute} on this thread is
     * delivered when they return (or throw). Nested calls deliver with the outermost.
     */
    public static void holdWhile(Runnable completions) {
        if (HELD.get() != null) {
            completions.run();
            return;
        }
        Held held = new Held();
        HELD.set(held);
        try {
            completions.run();
        } finally {
            HELD.remove();
            held.deliver();
        }
    }

    /** Runs {@code task} on {@code target}: at once, or at the end of the batch this thread is completing. */
    public static void execute(Executor target, Runnable task) {
        Held held = HELD.get();
        if (held == null) {
            target.execute(task);
        } else {
            held.add(target, task);
        }
    }

    /** The tasks held for each executor, in the order the executors were first handed one. */
    private static final class Held {
        // Usually one or two executors (the event loops): a list beats a map here.
        private final List<Executor> targets = new ArrayList<>(2);
        private final List<List<Runnable>> tasks = new ArrayList<>(2);

        void add(Executor target, Runnable task) {
            for (int i = 0; i < targets.size(); i++) {
                if (targets.get(i) == target) {
                    tasks.get(i).add(task);
                    return;
                }
            }
            targets.add(target);
            List<Runnable> list = new ArrayList<>();
            list.add(task);
            tasks.add(list);
        }

        void deliver() {
            for (int i = 0; i < targets.size(); i++) {
                List<Runnable> list = tasks.get(i);
                try {
                    targets.get(i).execute(() -> runEach(list));
                } catch (RejectedExecutionException e) {
                    // The executor is shutting down: as a direct hand-off would, the tasks are dropped.
                    LOG.debug("handoff_rejected tasks={}", list.size());
                }
            }
        }

        /** Each task on its own: one that throws must not keep the others' answers from being written. */
        private static void runEach(List<Runnable> list) {
            for (Runnable task : list) {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.warn("handoff_task_failed", e);
                }
            }
        }
    }
}
