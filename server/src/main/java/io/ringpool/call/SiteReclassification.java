package io.ringpool.call;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classes of a batch of a site's calls decided again with new settings (a change of
 * {@code uniquenessDays} or {@code targetCallSeconds}): the same rule {@link CallClassifier} applies
 * when an event arrives, so a call's flags do not depend on whether it had a late event.
 *
 * <p>A real caller's calls are decided against that caller's whole history, as on ingestion (the
 * batch holds every call of each of its callers). A call without a real caller (anonymous, withheld,
 * erased) is decided alone: its {@code target} follows the new threshold, its {@code firstTime} and
 * {@code unique} stay as stored, since there is no history to decide them from (an anonymous caller
 * is never unique; an erased one keeps what it counted as, calls.md "erasure").
 */
final class SiteReclassification {

    /** A call whose classes change. */
    record Change(String callId, CallClass classes) {}

    private SiteReclassification() {}

    static List<Change> of(List<CallerCalls.SiteCall> calls, ClassificationSettings settings) {
        Map<String, List<CallerCalls.CallerCall>> byCaller = new LinkedHashMap<>();
        List<Change> changes = new ArrayList<>();
        for (CallerCalls.SiteCall sc : calls) {
            CallerCalls.CallerCall cc = sc.call();
            if (sc.callerValid()) {
                byCaller.computeIfAbsent(sc.caller(), k -> new ArrayList<>()).add(cc);
                continue;
            }
            CallClass stored = cc.classes();
            boolean target = CallClassifier.classify(cc.startedAt(), cc.answered(), cc.talkSeconds(), false, List.of(), settings).target();
            CallClass k = new CallClass(stored.firstTime(), stored.unique(), target, stored.unique() && target);
            if (!k.equals(stored)) {
                changes.add(new Change(cc.callId(), k));
            }
        }
        for (List<CallerCalls.CallerCall> history : byCaller.values()) {
            CallClassifier.CallerTimes times = CallClassifier.CallerTimes.ofCalls(history);
            for (CallerCalls.CallerCall cc : history) {
                CallClass k = CallClassifier.classify(cc.callId(), cc.startedAt(), cc.answered(), cc.talkSeconds(), true, times, settings);
                if (!k.equals(cc.classes())) {
                    changes.add(new Change(cc.callId(), k));
                }
            }
        }
        return changes;
    }
}
