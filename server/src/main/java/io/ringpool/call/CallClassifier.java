package io.ringpool.call;

import java.time.Duration;
import java.time.Instant;
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
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(settings, "settings");
        boolean anyEarlier = false;
        boolean earlierInWindow = false;
        Instant windowStart = settings.uniquenessDays() == 0
                ? Instant.MIN
                : startedAt.minus(Duration.ofDays(settings.uniquenessDays()));
        for (Instant t : callerCallTimes) {
            if (t.isBefore(startedAt)) {
                anyEarlier = true;
                if (t.isAfter(windowStart)) {
                    earlierInWindow = true;
                }
            }
        }
        boolean firstTime = callerValid && !anyEarlier;
        boolean unique = callerValid && !earlierInWindow;
        boolean target = answered && (talkSeconds == null ? 0 : talkSeconds) >= settings.targetCallSeconds();
        return new CallClass(firstTime, unique, target, unique && target);
    }
}
