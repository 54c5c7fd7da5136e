package io.ringpool.store;

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
    };

    /** An SQL expression for the database's own time, epoch milliseconds: the one clock every node shares. */
    public abstract String nowMillis();

    /** Text to put right after a table name in FROM so that the read uses {@code index}; empty where not needed. */
    public abstract String indexHint(String index);

}
