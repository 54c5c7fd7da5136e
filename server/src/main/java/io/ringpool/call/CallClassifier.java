package io.ringpool.call;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Classifies a call against the caller's history (PRODUCT.md §2):
 * <ul>
 *   <li><b>first-time</b>: no earlier call from that number, ever;</li>
 *   <li><b>unique</b>: no earlier call from that number within {@code uniquenessDays} before this
 *       one (0 = ever, so then unique = first-time). A call exactly {@code uniquenessDays} × 24 h
 *       after the previous one is unique again;</li>
 *   <li><b>target</b>: answered and talk time ≥ {@code targetCallSeconds} (unknown talk counts as 0);</li>
 *   <li><b>unique-target</b>: both.</li>
 * </ul>
 * "Earlier" means strictly before this call's start (or at the same instant with a smaller call
 * id, see {@link CallerTimes}), so the caller may pass the caller's whole history, this call and
 * later ones included, and reclassifying an old call gives the same answer.
 *
 * <p>An invalid caller ({@code anonymous}, a withheld number) is never first-time nor unique: the
 * text is shared by strangers, so we cannot tell, and "better unknown than wrong". It can still be
 * a target call.
 */
public final class CallClassifier {

    private CallClassifier() {}

    /**
     * A caller's call times, sorted once, asked for the latest one before an instant. Built from the
     * calls themselves ({@link #ofCalls}), two calls that started at the same instant are ordered by
     * call id, so exactly one of them is the earlier (audit AD3 #1: a PBX posting two records of
     * one hang-up at once made both calls first-time and unique); ids are time-ordered, so the
     * call stored first counts as the first.
     */
    public static final class CallerTimes {
        private final Instant[] sorted;
        /** The call id of each time, or null when only times are known ({@link #of}). */
        private final String[] ids;

        private CallerTimes(Instant[] sorted, String[] ids) {
            this.sorted = sorted;
            this.ids = ids;
        }

        public static CallerTimes of(Collection<Instant> times) {
            Instant[] sorted = times.toArray(new Instant[0]);
            Arrays.sort(sorted);
            return new CallerTimes(sorted, null);
        }

        static CallerTimes ofCalls(List<CallerCalls.CallerCall> calls) {
            CallerCalls.CallerCall[] byStart = calls.toArray(new CallerCalls.CallerCall[0]);
            Arrays.sort(byStart, Comparator.comparing(CallerCalls.CallerCall::startedAt).thenComparing(CallerCalls.CallerCall::callId));
            Instant[] sorted = new Instant[byStart.length];
            String[] ids = new String[byStart.length];
            for (int i = 0; i < byStart.length; i++) {
                sorted[i] = byStart[i].startedAt();
                ids[i] = byStart[i].callId();
            }
            return new CallerTimes(sorted, ids);
        }

        /** The latest time strictly before {@code t}, or null. */
        Instant latestBefore(Instant t) {
            return latestBefore(t, null);
        }

        /**
         * The latest time of a call before the call {@code callId} that started at {@code t}: strictly
         * before {@code t}, or at {@code t} with a smaller call id (when ids are known); or null.
         */
        Instant latestBefore(Instant t, String callId) {
            int lo = 0;
            int hi = sorted.length; // first index that is not before (t, callId)
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                int byTime = sorted[mid].compareTo(t);
                boolean before = byTime < 0 || (byTime == 0 && ids != null && callId != null && ids[mid].compareTo(callId) < 0);
                if (before) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo == 0 ? null : sorted[lo - 1];
        }
    }

    /** Classifies a call from its merged state. */
    public static CallClass classify(CallState call, CallerNumber caller, Collection<Instant> callerCallTimes,
            ClassificationSettings settings) {
        return classify(call.startedAt(), call.answered(), call.talkSeconds(), caller.valid(), callerCallTimes,
                settings);
    }

    /**
     * @param startedAt       this call's start
     * @param answered        whether it was answered
     * @param talkSeconds     talk time, null if unknown
     * @param callerValid     whether the caller is a real number ({@link CallerNumber#valid()})
     * @param callerCallTimes start times of the same caller's calls on this site (any order, may include this one)
     */
    public static CallClass classify(Instant startedAt, boolean answered, Integer talkSeconds, boolean callerValid,
            Collection<Instant> callerCallTimes, ClassificationSettings settings) {
        return classify(startedAt, answered, talkSeconds, callerValid, CallerTimes.of(callerCallTimes), settings);
    }

    /**
     * The same, against the caller's call times sorted once: a caller's every call is reclassified
     * when one arrives, and scanning the whole history for each of them made a caller with
     * thousands of calls (a robocaller, a test dialer) cost the square of that for every event.
     */
    public static CallClass classify(Instant startedAt, boolean answered, Integer talkSeconds, boolean callerValid,
            CallerTimes callerCallTimes, ClassificationSettings settings) {
        return classify(null, startedAt, answered, talkSeconds, callerValid, callerCallTimes, settings);
    }

    /** The same for the call {@code callId} (null: unknown), which a call of the same instant with a smaller id precedes. */
    static CallClass classify(String callId, Instant startedAt, boolean answered, Integer talkSeconds, boolean callerValid,
            CallerTimes callerCallTimes, ClassificationSettings settings) {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(settings, "settings");
        Instant windowStart = settings.uniquenessDays() == 0
                ? Instant.MIN
                : startedAt.minus(Duration.ofDays(settings.uniquenessDays()));
        Instant latestEarlier = callerCallTimes.latestBefore(startedAt, callId);
        boolean anyEarlier = latestEarlier != null;
        boolean earlierInWindow = anyEarlier && latestEarlier.isAfter(windowStart);
        boolean firstTime = callerValid && !anyEarlier;
        boolean unique = callerValid && !earlierInWindow;
        boolean target = answered && (talkSeconds == null ? 0 : talkSeconds) >= settings.targetCallSeconds();
        return new CallClass(firstTime, unique, target, unique && target);
    }
}
