package io.ringpool.pool;

/** One tracking number's live state inside a {@link PoolState}; guarded by that pool's lock. */
final class NumberSlot {
    final String number;
    /** Non-null while leased (including while its end is being written). */
    Lease lease;
    /** When the last lease ended (epoch ms); 0 for a number never leased, so those go first. */
    long releasedAt;
    String lastVisitorId;
    boolean retired;
    /** When it was retired (epoch ms) while {@link #retired}: a call that starts later is no call of this pool's site once another site takes the number. */
    long retiredAt;
    /** While it cools from a lease that counted against a client address: that address's charge ({@link CoolingCharges}); else null. */
    CoolingCharges.Charge charge;

    NumberSlot(String number, long releasedAt, String lastVisitorId, boolean retired) {
        this.number = number;
        this.releasedAt = releasedAt;
        this.lastVisitorId = lastVisitorId;
        this.retired = retired;
    }
}
