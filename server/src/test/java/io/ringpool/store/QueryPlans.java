package io.ringpool.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

/** H2's plan of a query ({@code EXPLAIN}), for tests that a read walks its index in order instead of reading and sorting everything. */
public final class QueryPlans {
    private QueryPlans() {}

    /** An empty H2 store in {@code dir} with every migration applied: the schema whose plans are checked. */
    public static Database migratedStore(Path dir) {
        Database db = new Database(ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString())).store(), new SimpleMeterRegistry());
        new Migrator(db).migrate();
        return db;
    }

    /** The plan of {@code sql} with every parameter bound to a value of its type (strings "x", numbers 0). */
    public static String explain(Database db, String sql, Object... parameters) {
        return plan(db, "EXPLAIN ", sql, parameters);
    }

    /** The plan of {@code sql} as H2 ran it ({@code EXPLAIN ANALYZE}): each table's {@code scanCount}, the rows its index gave. */
    public static String explainAnalyze(Database db, String sql, Object... parameters) {
        return plan(db, "EXPLAIN ANALYZE ", sql, parameters);
    }

    private static String plan(Database db, String explain, String sql, Object... parameters) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(explain + sql)) {
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
