package io.ringpool.report;

import java.util.Iterator;
import java.util.Map;

/**
 * Drops from a site's facts the visits, calls and leads that started before a given instant, in
 * place (no second copy of the columns), and remaps every index that pointed into the visits.
 *
 * <h2>What the chains become</h2>
 * The rule is "as if the facts had been loaded fresh from the held window": for a held visit
 * <ul>
 *   <li>{@code vPrev}/{@code vNext}: the neighbour's new index, or -1 when it was dropped;</li>
 *   <li>{@code vLnd} (latest non-direct within the look-back): kept when that visit is held, else
 *       the visit itself — a direct visit whose paid visit was dropped is credited as direct, as a
 *       fresh load of the window would;</li>
 *   <li>{@code vFirst} (first within the look-back): kept when held, else the visitor's oldest held
 *       visit (every visit between the dropped first one and this one is within the look-back).</li>
 * </ul>
 * So attribution looks back only as far as {@link SiteFacts#heldFrom}: documented in docs/api.md.
 * Visits are appended in read order, which is start order but for commit lag, so a dropped visit
 * may sit after a held one: the pass keeps by start time, not by position.
 */
final class FactsTrim {
    private FactsTrim() {
    }

    /**
     * Drops everything that started before {@code heldFrom} and moves the facts' {@code heldFrom}
     * there (never back). Returns how many visits were dropped.
     */
    static int before(SiteFacts f, long heldFrom) {
        if (heldFrom <= f.heldFrom) {
            return 0;
        }
        f.heldFrom = heldFrom;
        int dropped = visits(f, heldFrom);
        calls(f, heldFrom);
        leads(f, heldFrom);
        f.changed();
        return dropped;
    }

    private static int visits(SiteFacts f, long heldFrom) {
        int n = f.visits;
        int[] to = new int[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            to[i] = f.vStart[i] >= heldFrom ? kept++ : -1;
        }
        if (kept == n) {
            return 0;
        }
        // Ascending, a kept visit moves to an index at or below its own, so what it reads (its own
        // old slot, and new slots of earlier visits) has not been overwritten by the time it is read.
        for (int i = 0; i < n; i++) {
            int j = to[i];
            if (j < 0) {
                continue;
            }
            f.vStart[j] = f.vStart[i];
            f.vSid[j] = f.vSid[i];
            for (int d = 0; d < Dimension.COUNT; d++) {
                f.vDim[d][j] = f.vDim[d][i];
            }
            f.vPool[j] = f.vPool[i];
            f.vNumber[j] = f.vNumber[i];
            f.vEnded[j] = f.vEnded[i];
            f.vExpires[j] = f.vExpires[i];
            int prev = f.vPrev[i] < 0 ? -1 : to[f.vPrev[i]];
            f.vPrev[j] = prev;
            f.vNext[j] = f.vNext[i] < 0 ? -1 : to[f.vNext[i]];
            int lnd = to[f.vLnd[i]];
            f.vLnd[j] = lnd >= 0 ? lnd : j;
            int first = to[f.vFirst[i]];
            f.vFirst[j] = first >= 0 ? first : prev >= 0 ? f.vFirst[prev] : j;
        }
        f.visits = kept;
        f.lastVisitOfVisitor = f.lastVisitOfVisitor.remapped(i -> to[i]);
        // The first held visit at or after the old openFrom: everything before that was settled.
        int open = f.openFrom;
        int newOpen = kept;
        for (int i = open; i < n; i++) {
            if (to[i] >= 0) {
                newOpen = to[i];
                break;
            }
        }
        f.openFrom = newOpen;
        f.fitVisitColumns();
        return n - kept;
    }

    private static void calls(SiteFacts f, long heldFrom) {
        int n = f.calls;
        int[] to = new int[n];
        int kept = 0;
        for (int j = 0; j < n; j++) {
            to[j] = f.cStart[j] >= heldFrom ? kept++ : -1;
        }
        if (kept == n) {
            return;
        }
        for (int j = 0; j < n; j++) {
            int k = to[j];
            if (k < 0) {
                continue;
            }
            f.cStart[k] = f.cStart[j];
            f.cVisitor[k] = f.cVisitor[j];
            f.cSid[k] = f.cSid[j];
            f.cFlags[k] = f.cFlags[j];
            f.cPhone[k] = f.cPhone[j];
            for (int d = 0; d < Dimension.COUNT; d++) {
                f.cDim[d][k] = f.cDim[d][j];
            }
        }
        f.calls = kept;
        remapSlots(f.callSlots, to);
    }

    private static void leads(SiteFacts f, long heldFrom) {
        int n = f.leads;
        int[] to = new int[n];
        int kept = 0;
        for (int k = 0; k < n; k++) {
            to[k] = f.lStart[k] >= heldFrom ? kept++ : -1;
        }
        if (kept == n) {
            return;
        }
        for (int k = 0; k < n; k++) {
            int m = to[k];
            if (m < 0) {
                continue;
            }
            f.lStart[m] = f.lStart[k];
            f.lVisitor[m] = f.lVisitor[k];
            f.lSid[m] = f.lSid[k];
            f.lPhone[m] = f.lPhone[k];
            f.lEmail[m] = f.lEmail[k];
            f.lFlags[m] = f.lFlags[k];
            for (int d = 0; d < Dimension.COUNT; d++) {
                f.lDim[d][m] = f.lDim[d][k];
            }
        }
        f.leads = kept;
        remapSlots(f.leadSlots, to);
    }

    private static void remapSlots(Map<String, Integer> slots, int[] to) {
        for (Iterator<Map.Entry<String, Integer>> it = slots.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Integer> e = it.next();
            int slot = to[e.getValue()];
            if (slot < 0) {
                it.remove();
            } else {
                e.setValue(slot);
            }
        }
    }
}
