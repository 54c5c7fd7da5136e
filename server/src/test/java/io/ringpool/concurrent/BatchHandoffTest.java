package io.ringpool.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class BatchHandoffTest {

    /** Runs what it is given at once, and counts how often it was given something (each count is a wake-up). */
    private static final class CountingExecutor implements Executor {
        int handed;

        @Override
        public void execute(Runnable command) {
            handed++;
            command.run();
        }
    }

    @Test
    void handOffsMadeWhileABatchCompletesReachEachExecutorOnceAtTheEndInTheirOrder() {
        CountingExecutor loopA = new CountingExecutor();
        CountingExecutor loopB = new CountingExecutor();
        List<String> ran = new ArrayList<>();
        BatchHandoff.holdWhile(() -> {
            for (int i = 0; i < 5; i++) {
                int n = i;
                BatchHandoff.execute(loopA, () -> ran.add("a" + n));
                if (i % 2 == 0) {
                    BatchHandoff.execute(loopB, () -> ran.add("b" + n));
                }
            }
            assertThat(ran).as("nothing runs before the batch is complete").isEmpty();
        });
        assertThat(loopA.handed).isEqualTo(1);
        assertThat(loopB.handed).isEqualTo(1);
        assertThat(ran).containsExactly("a0", "a1", "a2", "a3", "a4", "b0", "b2", "b4");
    }

    @Test
    void outsideABatchAHandOffIsImmediate() {
        CountingExecutor loop = new CountingExecutor();
        List<String> ran = new ArrayList<>();
        BatchHandoff.execute(loop, () -> ran.add("x"));
        BatchHandoff.execute(loop, () -> ran.add("y"));
        assertThat(ran).containsExactly("x", "y");
        assertThat(loop.handed).isEqualTo(2);
    }

    @Test
    void aTaskThatThrowsDoesNotKeepTheOthersFromRunning() {
        CountingExecutor loop = new CountingExecutor();
        List<String> ran = new ArrayList<>();
        BatchHandoff.holdWhile(() -> {
            BatchHandoff.execute(loop, () -> ran.add("first"));
            BatchHandoff.execute(loop, () -> {
                throw new IllegalStateException("one answer failed");
            });
            BatchHandoff.execute(loop, () -> ran.add("third"));
        });
        assertThat(ran).containsExactly("first", "third");
    }

    @Test
    void whatWasHeldIsDeliveredEvenWhenTheBatchThrows() {
        CountingExecutor loop = new CountingExecutor();
        List<String> ran = new ArrayList<>();
        assertThatThrownBy(() -> BatchHandoff.holdWhile(() -> {
            BatchHandoff.execute(loop, () -> ran.add("held"));
            throw new IllegalStateException("completion failed");
        })).hasMessage("completion failed");
        assertThat(ran).containsExactly("held");
        // and the thread is no longer holding
        BatchHandoff.execute(loop, () -> ran.add("after"));
        assertThat(ran).containsExactly("held", "after");
    }

    @Test
    void aNestedBatchDeliversWithTheOutermost() {
        CountingExecutor loop = new CountingExecutor();
        List<String> ran = new ArrayList<>();
        BatchHandoff.holdWhile(() -> {
            BatchHandoff.holdWhile(() -> BatchHandoff.execute(loop, () -> ran.add("inner")));
            assertThat(ran).isEmpty();
            BatchHandoff.execute(loop, () -> ran.add("outer"));
        });
        assertThat(ran).containsExactly("inner", "outer");
        assertThat(loop.handed).isEqualTo(1);
    }
}
