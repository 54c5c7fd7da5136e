package io.ringpool.account;

import io.ringpool.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** People and their sign-in sessions in the database. Tokens arrive here already hashed. */
public final class UserStore {
    private static final String SESSION_COLUMNS =
            "session_id, user_id, csrf_token, created_at, last_seen_at, expires_at, revoked_at, address, user_agent";

    private final Database db;

    public UserStore(Database db) {
        this.db = db;
    }

    public void insert(User user) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO users(user_id, email, name, password_hash, created_at) VALUES (?,?,?,?,?)")) {
                ps.setString(1, user.userId());
                ps.setString(2, user.email());
                ps.setString(3, user.name());
                ps.setString(4, user.passwordHash());
                ps.setLong(5, user.createdAt().toEpochMilli());
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<User> byEmail(String email) {
        return one("SELECT user_id, email, name, password_hash, created_at FROM users WHERE email = ?", email);
    }

    public Optional<User> byId(String userId) {
        return one("SELECT user_id, email, name, password_hash, created_at FROM users WHERE user_id = ?", userId);
    }

    private Optional<User> one(String sql, String key) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new User(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5)))) : Optional.<User>empty();
                }
            }
        });
    }

    /** Sets a new password and ends every session of the user, in one transaction. */
    public void changePassword(String userId, String passwordHash, String name, Instant now) {
        setPassword(userId, passwordHash, name, null, now);
    }

    /** Sets a new password and ends every session of the user but {@code keptSessionId}, in one transaction. */
    public void changePasswordKeeping(String userId, String passwordHash, String keptSessionId, Instant now) {
        setPassword(userId, passwordHash, null, keptSessionId, now);
    }

    private void setPassword(String userId, String passwordHash, String name, String keptSessionId, Instant now) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE users SET password_hash = ?, name = COALESCE(?, name) WHERE user_id = ?")) {
                ps.setString(1, passwordHash);
                ps.setString(2, name);
                ps.setString(3, userId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE user_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"
                    + (keptSessionId == null ? "" : " AND session_id <> ?"))) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, userId);
                if (keptSessionId != null) {
                    ps.setString(3, keptSessionId);
                }
                ps.executeUpdate();
            }
            // A reset link still pending would set the password again behind the person's back: a new
            // password, however it was set, ends them all (a reset link's own use already has).
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE account_links SET used_at = ? WHERE kind = 'RESET' AND user_id = ? AND used_at IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, userId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Stores a new session and, in the same transaction, ends the user's oldest live sessions beyond
     * {@code maxLive} (the new one counts, and is never among them: it is the newest).
     */
    public void insertSession(UserSession s, String tokenHash, int maxLive) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO user_sessions(" + SESSION_COLUMNS + ", token_hash) "
                    + "VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, s.sessionId());
                ps.setString(2, s.userId());
                ps.setString(3, s.csrfToken());
                ps.setLong(4, s.createdAt().toEpochMilli());
                ps.setLong(5, s.lastSeenAt().toEpochMilli());
                ps.setLong(6, s.expiresAt().toEpochMilli());
                ps.setNull(7, Types.BIGINT);
                ps.setString(8, s.address());
                ps.setString(9, s.userAgent());
                ps.setString(10, tokenHash);
                ps.executeUpdate();
            }
            List<String> beyond = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT session_id FROM user_sessions WHERE user_id = ? AND revoked_at IS NULL "
                    + "AND expires_at > ? ORDER BY created_at DESC, session_id DESC")) {
                ps.setString(1, s.userId());
                ps.setLong(2, s.createdAt().toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    for (int n = 0; rs.next(); n++) {
                        String id = rs.getString(1);
                        if (n >= maxLive && !id.equals(s.sessionId())) {
                            beyond.add(id);
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE user_sessions SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL")) {
                for (String id : beyond) {
                    ps.setLong(1, s.createdAt().toEpochMilli());
                    ps.setString(2, id);
                    ps.addBatch();
                }
                if (!beyond.isEmpty()) {
                    ps.executeBatch();
                }
            }
            return null;
        });
    }

    public Optional<UserSession> sessionByTokenHash(String tokenHash) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SESSION_COLUMNS + " FROM user_sessions WHERE token_hash = ?")) {
                ps.setString(1, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(session(rs)) : Optional.<UserSession>empty();
                }
            }
        });
    }

    /** The user's sessions that are neither revoked nor past {@code now}'s absolute expiry, newest first. */
    public List<UserSession> liveSessions(String userId, Instant now) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SESSION_COLUMNS + " FROM user_sessions "
                    + "WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC")) {
                ps.setString(1, userId);
                ps.setLong(2, now.toEpochMilli());
                List<UserSession> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(session(rs));
                    }
                }
                return out;
            }
        });
    }

    public void touch(String sessionId, Instant now) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE user_sessions SET last_seen_at = ? WHERE session_id = ?")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, sessionId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Revokes one of the user's sessions; false when the user has no such live session. */
    public boolean revoke(String userId, String sessionId, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE user_sessions SET revoked_at = ? WHERE session_id = ? AND user_id = ? AND revoked_at IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, sessionId);
                ps.setString(3, userId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static UserSession session(ResultSet rs) throws SQLException {
        long revoked = rs.getLong(7);
        boolean wasNull = rs.wasNull();
        return new UserSession(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
                Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)), wasNull ? null : Instant.ofEpochMilli(revoked),
                rs.getString(8), rs.getString(9));
    }
}
