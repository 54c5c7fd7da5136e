package io.ringpool.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** H2's plan of a query ({@code EXPLAIN}), for tests that a read walks its index in order instead of reading and sorting everything. */
public final class QueryPlans {
    private QueryPlans() {}

    /** The plan of {@code sql} with every parameter bound to a value of its type (strings "x", numbers 0). */
    public static String explain(Database db, String sql, Object... parameters) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    ps.setObject(i + 1, parameters[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
    }
}
