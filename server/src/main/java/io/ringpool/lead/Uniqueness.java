package io.ringpool.lead;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which contacts of people are their first within the site's uniqueness period (PRODUCT.md §2:
 * "unique" as Calltouch counts it, in days, 0 = unlimited). A person is their phone or their e-mail:
 * an occurrence is repeated when an earlier one shares either, and that earlier one lies less than
 * the period before it. Used for {@code uniqueLeads} (leads only) and {@code contacts} (calls and
 * leads together).
 */
public final class Uniqueness {

    /**
     * One call or lead.
     *
     * @param phone           a valid E.164 phone, or null
     * @param email           a valid normalised e-mail, or null
     * @param erasedPhoneKey  the {@code call.PersonPseudonym} key an erased phone left, or 0
     * @param erasedEmailKey  the key an erased e-mail left, or 0
     */
    public record Occurrence(Instant at, String phone, String email, long erasedPhoneKey, long erasedEmailKey) {

        /** One whose person is not erased. */
        public Occurrence(Instant at, String phone, String email) {
            this(at, phone, email, 0, 0);
        }

        /** One that names no person: never unique, and no earlier occurrence of anyone (a lead marked spam). */
        public static Occurrence nobody(Instant at) {
            return new Occurrence(at, null, null, 0, 0);
        }
    }

    private Uniqueness() {}

    /**
     * For occurrences sorted by time (oldest first), whether each is unique: as for calls
     * ({@code CallClassifier}), "earlier" is strictly before, so two at the same instant are both
     * unique, and one exactly the period after the previous is unique again. An erased one is its
     * person by the keys it kept (the rows erased together share them), so its answer is the one it
     * had before the erasure. An occurrence with neither a valid phone or e-mail nor a key is never
     * unique: strangers share "no contact", so we cannot tell.
     */
    public static List<Boolean> of(List<Occurrence> sorted, int periodDays) {
        long period = periodDays <= 0 ? Long.MAX_VALUE : Duration.ofDays(periodDays).toMillis();
        // Per key: the latest time seen, and the latest time strictly before that one.
        Map<String, long[]> seen = new HashMap<>();
        List<Boolean> out = new ArrayList<>(sorted.size());
        for (Occurrence o : sorted) {
            long t = o.at().toEpochMilli();
            List<String> keys = keys(o);
            boolean unique = !keys.isEmpty();
            for (String key : keys) {
                long[] times = seen.get(key);
                if (times == null) {
                    continue;
                }
                long earlier = times[0] < t ? times[0] : times[1];
                if (earlier != Long.MIN_VALUE && t - earlier < period) {
                    unique = false;
                }
            }
            for (String key : keys) {
                long[] times = seen.computeIfAbsent(key, k -> new long[] {Long.MIN_VALUE, Long.MIN_VALUE});
                if (times[0] < t) {
                    times[1] = times[0];
                    times[0] = t;
                }
            }
            out.add(unique);
        }
        return out;
    }

    private static List<String> keys(Occurrence o) {
        List<String> keys = new ArrayList<>(2);
        if (o.phone() != null) {
            keys.add("p:" + o.phone());
        }
        if (o.email() != null) {
            keys.add("e:" + o.email());
        }
        // A phone's and an e-mail's keys are hashed apart (PersonPseudonym), so one namespace serves both.
        if (o.erasedPhoneKey() != 0) {
            keys.add("k:" + o.erasedPhoneKey());
        }
        if (o.erasedEmailKey() != 0) {
            keys.add("k:" + o.erasedEmailKey());
        }
        return keys;
    }
}
