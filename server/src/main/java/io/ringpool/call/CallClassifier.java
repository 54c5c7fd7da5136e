package io.ringpool.call;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
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
 * "Earlier" means strictly before this call's start, so the caller may pass the caller's whole
 * history, this call and later ones included, and reclassifying an old call gives the same answer.
 *
 * <p>An invalid caller ({@code anonymous}, a withheld number) is never first-time nor unique: the
 * text is shared by strangers, so we cannot tell, and "better unknown than wrong". It can still be
 * a target call.
 */
public final class CallClassifier {

    private CallClassifier() {}

    /** A caller's call times, sorted once, asked for the latest one before an instant. */
    public static final class CallerTimes {
        private final Instant[] sorted;

        private CallerTimes(Instant[] sorted) {
            this.sorted = sorted;
        }

        public static CallerTimes of(Collection<Instant> times) {
            Instant[] sorted = times.toArray(new Instant[0]);
            Arrays.sort(sorted);
            return new CallerTimes(sorted);
        }

        /** The latest time strictly before {@code t}, or null. */
        Instant latestBefore(Instant t) {
            int lo = 0;
            int hi = sorted.length; // first index whose time is not before t
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (sorted[mid].isBefore(t)) {
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
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(settings, "settings");
        Instant windowStart = settings.uniquenessDays() == 0
                ? Instant.MIN
                : startedAt.minus(Duration.ofDays(settings.uniquenessDays()));
        Instant latestEarlier = callerCallTimes.latestBefore(startedAt);
        boolean anyEarlier = latestEarlier != null;
        boolean earlierInWindow = anyEarlier && latestEarlier.isAfter(windowStart);
        boolean firstTime = callerValid && !anyEarlier;
        boolean unique = callerValid && !earlierInWindow;
        boolean target = answered && (talkSeconds == null ? 0 : talkSeconds) >= settings.targetCallSeconds();
        return new CallClass(firstTime, unique, target, unique && target);
    }
}
