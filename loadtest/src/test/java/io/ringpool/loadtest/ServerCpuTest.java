package io.ringpool.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerCpuTest {

    @Test
    void ticksAreUserPlusSystemEvenWhenTheThreadNameHasSpacesAndParentheses() {
        String stat = "4242 (C2 CompilerThre) S 1 1 1 0 -1 4194624 12 0 0 0 250 31 0 0 20 0 1 0 100 0 0";
        assertEquals(281, ServerCpu.ticksOf(stat));
        assertEquals(7, ServerCpu.ticksOf("7 (a) b) R 1 1 1 0 -1 0 0 0 0 0 5 2 0 0 20 0 1 0 1 0 0"));
    }

    @Test
    void theSplitGroupsThreadsAndCountsOnlyWhatWasUsedBetweenTheSnapshots() {
        ServerCpu.Snapshot before = new ServerCpu.Snapshot(Map.of("1", 100L, "2", 50L, "3", 10L),
                Map.of("1", "ringpool-worker", "2", "C2 CompilerThre", "3", "GC Thread#0"));
        ServerCpu.Snapshot after = new ServerCpu.Snapshot(Map.of("1", 160L, "2", 70L, "3", 10L, "4", 20L),
                Map.of("1", "ringpool-worker", "2", "C2 CompilerThre", "3", "GC Thread#0", "4", "ringpool-worker"));
        ServerCpu.Split split = ServerCpu.between(before, after);
        assertEquals(1.0, split.seconds(), 1e-9);
        assertEquals(List.of("workers", "jit"), List.copyOf(split.shares().keySet()));
        assertEquals(0.8, split.shares().get("workers"), 1e-9);
        assertTrue(split.toString().startsWith("cpu 1.0 s: workers 80% jit 20%"), split.toString());
    }

    @Test
    void anUnknownPidGivesNoSplit() {
        assertEquals("-", ServerCpu.between(ServerCpu.snapshot(0), ServerCpu.snapshot(0)).toString());
    }
}
