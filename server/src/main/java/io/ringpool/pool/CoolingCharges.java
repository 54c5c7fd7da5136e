package io.ringpool.pool;

import java.util.Comparator;
import java.util.TreeSet;

/**
 * Numbers in cool-down that still count against the client address (and IPv6 /48) whose lease
 * ended on them, until their cool-down ends: the address took each out of circulation, so it
 * holds it as surely as a live lease. Counting live leases only let one IPv4 address empty a pool
 * by start, end, start with a new visitor id: each ended lease stopped counting while its number
 * cooled for 15 minutes, unusable by anyone (audit AM2 F6).
 *
 * <p>A charge lives on its {@link NumberSlot} and in one set ordered by release, so the charges
 * whose cool-down has ended are found from its head (a start costs the charges that expired, not
 * the pool's size). At most one charge a number, so bounded by the pool. Not thread-safe: its
 * {@link PoolState} guards it, and keeps the counts it adds to.
 */
final class CoolingCharges {
    /** One number's charge: the address and /48 (their {@code KeyHash}es, 0 = none) whose lease ended at {@code releasedAt}. */
    static final class Charge {
        final NumberSlot slot;
        final long address;
        final long network;
        final long releasedAt;

        private Charge(NumberSlot slot, long address, long network, long releasedAt) {
            this.slot = slot;
            this.address = address;
            this.network = network;
            this.releasedAt = releasedAt;
        }
    }

    private static final Comparator<Charge> OLDEST_FIRST =
            Comparator.<Charge>comparingLong(c -> c.releasedAt).thenComparing(c -> c.slot.number);

    private final TreeSet<Charge> byRelease = new TreeSet<>(OLDEST_FIRST);
    private final AddressCounts byAddress;
    private final AddressCounts byNetwork;

    /** Adds to and takes from {@code byAddress} and {@code byNetwork}, the counts the pool's caps read. */
    CoolingCharges(AddressCounts byAddress, AddressCounts byNetwork) {
        this.byAddress = byAddress;
        this.byNetwork = byNetwork;
    }

    /**
     * The number of {@code slot} starts cooling, released at {@code releasedAt} by a lease that
     * counted against {@code address} and {@code network}: their count, already holding the lease,
     * keeps holding the number.
     */
    void keep(NumberSlot slot, long address, long network, long releasedAt) {
        drop(slot);
        if (address == 0 && network == 0) {
            return;
        }
        slot.charge = new Charge(slot, address, network, releasedAt);
        byRelease.add(slot.charge);
    }

    /** The number is leased again, or another node holds it: it no longer counts against the address that cooled it. */
    void drop(NumberSlot slot) {
        Charge charge = slot.charge;
        if (charge == null) {
            return;
        }
        slot.charge = null;
        byRelease.remove(charge);
        release(charge);
    }

    /** Ends the charges whose cool-down ({@code coolDownMillis}, the site's) has ended by {@code now}. */
    void endCooled(long now, long coolDownMillis) {
        while (!byRelease.isEmpty() && byRelease.first().releasedAt + coolDownMillis <= now) {
            Charge charge = byRelease.pollFirst();
            charge.slot.charge = null;
            release(charge);
        }
    }

    int size() {
        return byRelease.size();
    }

    private void release(Charge charge) {
        if (charge.address != 0) {
            byAddress.decrement(charge.address);
        }
        if (charge.network != 0) {
            byNetwork.decrement(charge.network);
        }
    }
}
