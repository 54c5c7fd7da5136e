package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LiveSessionIndexTest {

    private static LiveSession session(String id, String site, String visitor) {
        return new LiveSession(id, site, visitor, new LiveSession.Untracked("no_pool", 0, null, null));
    }

    /** Random puts, id-only puts and removes against two plain maps, as SessionService used them. */
    @Test
    void findsWhatTwoMapsByIdAndByVisitorWouldFind() {
        Random random = new Random(9);
        for (int round = 0; round < 20; round++) {
            LiveSessionIndex index = new LiveSessionIndex();
            Map<String, LiveSession> byId = new HashMap<>();
            Map<String, LiveSession> byVisitor = new HashMap<>();
            List<LiveSession> made = new ArrayList<>();
            int ids = 1 + random.nextInt(3_000);
            for (int i = 0; i < 30_000; i++) {
                int op = random.nextInt(10);
                if (op < 5 || made.isEmpty()) {
                    LiveSession s = session("s_" + random.nextInt(ids), "st_" + random.nextInt(3), "v" + random.nextInt(ids));
                    made.add(s);
                    if (op == 0) {
                        index.putById(s);
                        byId.put(s.sessionId, s);
                    } else {
                        index.put(s);
                        byId.put(s.sessionId, s);
                        byVisitor.put(s.siteId + "|" + s.visitorId, s);
                    }
                } else {
                    LiveSession s = made.get(random.nextInt(made.size()));
                    index.remove(s);
                    byId.remove(s.sessionId, s);
                    byVisitor.remove(s.siteId + "|" + s.visitorId, s);
                }
                String probeId = "s_" + random.nextInt(ids);
                assertThat(index.get(probeId)).as("round %d step %d id %s", round, i, probeId).isSameAs(byId.get(probeId));
                String site = "st_" + random.nextInt(3);
                String visitor = "v" + random.nextInt(ids);
                assertThat(index.ofVisitor(site, visitor)).isSameAs(byVisitor.get(site + "|" + visitor));
                assertThat(index.size()).isEqualTo(byId.size());
            }
            Set<LiveSession> seen = new HashSet<>();
            index.forEach(seen::add);
            assertThat(seen).containsExactlyInAnyOrderElementsOf(byId.values());
        }
    }

    @Test
    void tablesShrinkBackWhenTheSessionsAreGone() {
        LiveSessionIndex index = new LiveSessionIndex();
        int empty = index.slots();
        List<LiveSession> all = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            LiveSession s = session("s_" + i, "st_1", "v" + i);
            all.add(s);
            index.put(s);
        }
        assertThat(index.slots()).isGreaterThan(200_000);
        all.forEach(index::remove);
        assertThat(index.size()).isZero();
        assertThat(index.slots()).isLessThanOrEqualTo(empty * 2);
    }
}
