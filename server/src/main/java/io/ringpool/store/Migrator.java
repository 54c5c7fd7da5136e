package io.ringpool.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.h2.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies versioned SQL scripts from {@code db/migration/} (listed in its index.txt, named
 * {@code V<n>__<description>.sql}) once each, in order, recording them in {@code schema_version}.
 * A small migrator of our own: the scripts are plain SQL that both H2 and PostgreSQL accept. A
 * script whose first line is {@code -- dialect: postgresql} (or {@code h2}) runs only on that
 * database and is recorded as applied on the other, so versions stay one sequence everywhere:
 * for what only one of them needs (an index the shared store needs and a single node would pay
 * for on every write).
 */
public final class Migrator {
    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
    private static final String ROOT = "/db/migration/";

    /**
     * The transaction-level advisory lock that serialises migrations on a shared PostgreSQL store
     * (any fixed number: "ringpool" in ASCII). Nodes started at once on an empty database would
     * otherwise both create {@code schema_version} and the tables, and the loser would stop with
     * a duplicate-key error from PostgreSQL's catalogue.
     */
    static final long MIGRATION_LOCK = 0x72696e67706f6f6cL;

    private final Database database;

    public Migrator(Database database) {
        this.database = database;
    }

    public int migrate() {
        List<String> scripts = readIndex();
        return database.inTransaction(c -> {
            if (database.dialect() == Dialect.POSTGRESQL) {
                // Held until this transaction ends: a second node waits here, then finds every script applied.
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                }
            }
            ensureVersionTable(c);
            // Each capability owns a range of versions, so a script with a lower number than one
            // already applied can arrive later (built on another branch): apply every one missing.
            Set<Integer> done = appliedVersions(c);
            int newestKnown = scripts.stream().mapToInt(Migrator::versionOf).max().orElse(0);
            int newestApplied = done.stream().mapToInt(Integer::intValue).max().orElse(0);
            if (newestApplied > newestKnown) {
                // An older jar on a newer store ran without a word on tables it does not know (audit P #7).
                throw new SchemaTooNew(newestApplied, newestKnown);
            }
            int applied = 0;
            boolean h2 = database.dialect() == Dialect.H2;
            for (String script : scripts) {
                int version = versionOf(script);
                if (done.contains(version)) {
                    continue;
                }
                // Only the first script left to run can have been cut short (see resumes()).
                boolean mayResume = h2 && applied == 0;
                String sql = read(script);
                for (String statement : appliesTo(sql, database.dialect()) ? statements(sql) : List.<String>of()) {
                    try (Statement s = c.createStatement()) {
                        s.execute(statement);
                    } catch (SQLException e) {
                        if (!mayResume || !resumes(e)) {
                            throw e;
                        }
                        LOG.warn("schema_step_already_applied version={} script={} reason={}", version, script, e.getErrorCode());
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO schema_version(version, script, applied_at) VALUES (?, ?, ?)")) {
                    ps.setInt(1, version);
                    ps.setString(2, script);
                    ps.setLong(3, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                if (h2) {
                    // H2 commits each DDL statement on its own, so the script's record must follow it
                    // at once rather than with the next script's DDL: the window resumes() covers
                    // shrinks from a whole script to one statement.
                    c.commit();
                }
                LOG.info("schema_migrated version={} script={}", version, script);
                applied++;
            }
            return applied;
        });
    }

    /**
     * Whether a failed statement of the script an earlier start was cut short in (H2 only) is one
     * that earlier start already carried out. PostgreSQL runs a script's DDL and its record in one
     * transaction, all or nothing; H2 commits every DDL statement by itself, so a {@code kill -9}
     * (an OOM kill, a host reboot) between a script's {@code ALTER TABLE} and its record in
     * {@code schema_version} left a store that every later start refused with "duplicate column"
     * and no older jar would open either (audit AC3 #1). Re-running such a script, a statement
     * whose effect is already there fails with one of these codes (the thing it creates exists,
     * the thing it drops or renames is gone, a row it copies is there), and is passed over.
     */
    static boolean resumes(SQLException e) {
        return switch (e.getErrorCode()) {
            case ErrorCode.TABLE_OR_VIEW_ALREADY_EXISTS_1, ErrorCode.INDEX_ALREADY_EXISTS_1, ErrorCode.DUPLICATE_COLUMN_NAME_1,
                    ErrorCode.CONSTRAINT_ALREADY_EXISTS_1, ErrorCode.TABLE_OR_VIEW_NOT_FOUND_1,
                    ErrorCode.TABLE_OR_VIEW_NOT_FOUND_WITH_CANDIDATES_2, ErrorCode.TABLE_OR_VIEW_NOT_FOUND_DATABASE_EMPTY_1,
                    ErrorCode.INDEX_NOT_FOUND_1, ErrorCode.COLUMN_NOT_FOUND_1, ErrorCode.CONSTRAINT_NOT_FOUND_1,
                    ErrorCode.DUPLICATE_KEY_1 -> true;
            default -> false;
        };
    }

    /** The store was migrated by a newer Ringpool than this one: a downgrade, which no script undoes. */
    public static final class SchemaTooNew extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SchemaTooNew(int stored, int known) {
            super("the store holds data written by a newer Ringpool (schema " + stored + ", this jar knows " + known
                    + "): start that version or a later one; to go back, restore a backup taken before the upgrade", null, false, false);
        }
    }

    private static void ensureVersionTable(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                    + "version INTEGER PRIMARY KEY, script VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
        }
    }

    /** The versions recorded in {@code schema_version} (which must exist). */
    public static Set<Integer> appliedVersions(Connection c) throws SQLException {
        Set<Integer> versions = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM schema_version")) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }

    private static final String DIALECT_LINE = "-- dialect:";

    /** False when the script's first line names another dialect than {@code dialect}. */
    static boolean appliesTo(String sql, Dialect dialect) {
        String first = sql.lines().findFirst().orElse("").strip();
        if (!first.regionMatches(true, 0, DIALECT_LINE, 0, DIALECT_LINE.length())) {
            return true;
        }
        String named = first.substring(DIALECT_LINE.length()).strip();
        for (Dialect d : Dialect.values()) {
            if (d.name().equalsIgnoreCase(named)) {
                return d == dialect;
            }
        }
        throw new IllegalStateException("migration names an unknown dialect: " + first);
    }

    static int versionOf(String script) {
        if (!script.matches("V\\d+__[A-Za-z0-9_]+\\.sql")) {
            throw new IllegalStateException("migration script name must be V<n>__<name>.sql: " + script);
        }
        return Integer.parseInt(script.substring(1, script.indexOf("__")));
    }

    /** Splits on semicolons that end a line; strips {@code --} comments. */
    static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : sql.split("\n")) {
            int comment = line.indexOf("--");
            String code = comment >= 0 ? line.substring(0, comment) : line;
            if (code.isBlank()) {
                continue;
            }
            current.append(code).append('\n');
            if (code.stripTrailing().endsWith(";")) {
                String statement = current.toString().strip();
                out.add(statement.substring(0, statement.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    /** The versions of the scripts this jar carries (its index), lowest first. */
    public static List<Integer> knownVersions() {
        return readIndex().stream().map(Migrator::versionOf).toList();
    }

    private static List<String> readIndex() {
        List<String> names = new ArrayList<>();
        for (String line : read("index.txt").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        names.sort((a, b) -> Integer.compare(versionOf(a), versionOf(b)));
        return names;
    }

    private static String read(String name) {
        try (InputStream in = Migrator.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + name, e);
        }
    }
}
