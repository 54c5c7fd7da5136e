package io.ringpool.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The turn of transactions that claim phone numbers (V13): a site's default number, and pool and
 * static numbers. A default number may be shared by sites (one business, one real number) but not
 * be another site's tracking number, and no key can say "this number is in this table or that one,
 * not both". So each such transaction locks the one row of {@code number_claim_turn} first, then
 * checks the other kind, then writes; they take turns, across nodes too, and under READ COMMITTED
 * each check sees every claim committed before it. Admin paths only, and short: the lock is held
 * until the transaction ends.
 */
public final class NumberClaimTurn {
    private NumberClaimTurn() {}

    /** Waits for, then holds until {@code c}'s transaction ends, the turn to claim numbers. */
    public static void take(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM number_claim_turn WHERE id = 1 FOR UPDATE");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }
}
