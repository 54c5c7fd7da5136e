package io.ringpool.store;

import java.util.List;

/**
 * What differs between the two databases Ringpool runs on, decided once by {@link Database} from
 * its URL and handed by constructor to whoever writes SQL that must differ.
 */
public enum Dialect {
    H2 {
        /**
         * H2 plans range reads of a table whose rows all share their leading key (one site's calls)
         * on the wrong index as the table grows; measured with the load simulator, caller lookups
         * took 94% of the CPU from about 300,000 visits on, and report refreshes scanned whole
         * tables (~800 ms per report at 1,000,000 visits). Naming the index fixes both.
         */
        @Override
        public String indexHint(String index) {
            return " USE INDEX (" + index + ")";
        }

        @Override
        public String nowMillis() {
            return "DATEDIFF('MILLISECOND', TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00', CURRENT_TIMESTAMP)";
        }

        /** H2 has no {@code ON CONFLICT DO UPDATE}; its MERGE names the given row {@code EXCLUDED} as PostgreSQL does. */
        @Override
        public String upsert(String table, String key, List<String> columns, String onExisting) {
            String names = String.join(", ", columns);
            return "MERGE INTO " + table + " USING (VALUES (" + placeholders(columns) + ")) AS EXCLUDED(" + names + ") ON "
                    + table + "." + key + " = EXCLUDED." + key + " WHEN MATCHED THEN UPDATE SET " + onExisting
                    + " WHEN NOT MATCHED THEN INSERT (" + names + ") VALUES ("
                    + String.join(", ", columns.stream().map(c -> "EXCLUDED." + c).toList()) + ")";
        }
    },
    POSTGRESQL {
        /** PostgreSQL plans these reads right on its own and has no hint syntax. */
        @Override
        public String indexHint(String index) {
            return "";
        }

        /** clock_timestamp, not now(): the time of the statement, not of the transaction's start. */
        @Override
        public String nowMillis() {
            return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
        }

        /** An insert that meets another's row for the same key waits for it to commit, then updates it: never a key violation. */
        @Override
        public String upsert(String table, String key, List<String> columns, String onExisting) {
            return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES (" + placeholders(columns) + ") ON CONFLICT ("
                    + key + ") DO UPDATE SET " + onExisting;
        }
    };

    /** An SQL expression for the database's own time, epoch milliseconds: the one clock every node shares. */
    public abstract String nowMillis();

    /** Text to put right after a table name in FROM so that the read uses {@code index}; empty where not needed. */
    public abstract String indexHint(String index);

    /**
     * A statement that inserts one row of {@code columns} (one {@code ?} each, in that order) into
     * {@code table}, or, when a row with the same {@code key} is there, applies {@code onExisting}
     * (a SET list) to it instead. In {@code onExisting}, {@code table.column} is the stored value and
     * {@code EXCLUDED.column} the one given. Writers that share a row (the nodes of one PostgreSQL
     * store) add to it at the same moment without a key violation, whichever inserts first.
     */
    public abstract String upsert(String table, String key, List<String> columns, String onExisting);

    private static String placeholders(List<String> columns) {
        return String.join(", ", java.util.Collections.nCopies(columns.size(), "?"));
    }

}
