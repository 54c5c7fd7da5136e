package io.ringpool.report;

import java.time.Duration;
import java.util.Arrays;

/**
 * The {@code contacts} metric: calls and leads together, one person counted once per contact
 * window (the site's {@code uniquenessDays}, 0 = ever). The rule is {@code lead.Uniqueness}'s, on
 * the facts' hashed person keys: a person is their valid phone or valid e-mail; a call or lead
 * opens a window when no earlier one (strictly earlier) sharing its phone or e-mail lies less than
 * the period before it. A call or lead without a valid phone or e-mail opens none (strangers share
 * "no contact"), as an anonymous call is never unique. Spam leads are left out altogether.
 */
final class ContactWindow {

    /** For each call slot and each lead slot of the facts: does it open a contact window? */
    record Firsts(boolean[] calls, boolean[] leads) {}

    private ContactWindow() {}

    static Firsts firsts(SiteFacts f, int periodDays) {
        long period = periodDays <= 0 ? Long.MAX_VALUE : Duration.ofDays(periodDays).toMillis();
        int n = f.calls + f.leads;
        // Events sorted by time: call j is j, lead k is calls + k.
        Integer[] idx = new Integer[n];
        for (int e = 0; e < n; e++) {
            idx[e] = e;
        }
        Arrays.sort(idx, (a, b) -> Long.compare(time(f, a), time(f, b)));
        boolean[] calls = new boolean[f.calls];
        boolean[] leads = new boolean[f.leads];
        // Per person key: the latest time seen, and the latest time strictly before it.
        LongIntMap slot = new LongIntMap(Math.max(16, n));
        long[] latest = new long[Math.max(16, 2 * n)];
        long[] before = new long[latest.length];
        int used = 0;
        long[] keys = new long[2];
        for (Integer e : idx) {
            long t = time(f, e);
            int count = 0;
            if (e < f.calls) {
                if (f.cPhone[e] != 0) {
                    keys[count++] = f.cPhone[e];
                }
            } else {
                int k = e - f.calls;
                if (f.isSpam(k)) {
                    continue;
                }
                if (f.lPhone[k] != 0) {
                    keys[count++] = f.lPhone[k];
                }
                if (f.lEmail[k] != 0) {
                    keys[count++] = f.lEmail[k];
                }
            }
            boolean first = count > 0;
            for (int i = 0; i < count; i++) {
                int s = slot.get(keys[i], -1);
                if (s < 0) {
                    continue;
                }
                long earlier = latest[s] < t ? latest[s] : before[s];
                if (earlier != Long.MIN_VALUE && t - earlier < period) {
                    first = false;
                }
            }
            for (int i = 0; i < count; i++) {
                int s = slot.get(keys[i], -1);
                if (s < 0) {
                    s = used++;
                    slot.put(keys[i], s);
                    latest[s] = Long.MIN_VALUE;
                    before[s] = Long.MIN_VALUE;
                }
                if (latest[s] < t) {
                    before[s] = latest[s];
                    latest[s] = t;
                }
            }
            if (e < f.calls) {
                calls[e] = first;
            } else {
                leads[e - f.calls] = first;
            }
        }
        return new Firsts(calls, leads);
    }

    private static long time(SiteFacts f, int event) {
        return event < f.calls ? f.cStart[event] : f.lStart[event - f.calls];
    }
}
