package io.ringpool.upload;

import io.ringpool.store.Columns;
import io.ringpool.store.StorageJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The tags, value and currency of each call and lead as they are when its upload is made, not as
 * its event carried them when the call ended or the lead came. A person tags a call "sale" with
 * its value after hanging up; Google Ads takes a call only six hours after it, so a destination
 * with {@code filter: {"tag": "sale"}} that read the event's tags (none) never sent the sale, while
 * an export or feed with the same filter, read when fetched, held it with its value (audit AN2 F9).
 * Read here, a destination's {@code tag} means what the exports' does.
 */
final class MarksAtUpload {
    private MarksAtUpload() {}

    /** {@code rows} with each one's stored tags, value and currency; a row no longer stored (erased by retention) as it came. */
    static List<CallConversion> current(Connection c, String siteId, List<CallConversion> rows) throws SQLException {
        List<CallConversion> out = new ArrayList<>(rows.size());
        try (PreparedStatement calls = c.prepareStatement("SELECT tags_json, call_value, currency FROM calls WHERE site_id = ? AND call_id = ?");
                PreparedStatement leads = c.prepareStatement(
                        "SELECT tags_json, lead_value AS call_value, currency FROM leads WHERE site_id = ? AND lead_id = ?")) {
            for (CallConversion row : rows) {
                PreparedStatement ps = row.lead() ? leads : calls;
                ps.setString(1, siteId);
                ps.setString(2, row.callId());
                try (ResultSet rs = ps.executeQuery()) {
                    out.add(rs.next() ? row.withMarks(StorageJson.readStrings(rs.getString("tags_json")),
                            Columns.doubleOrNull(rs, "call_value"), rs.getString("currency")) : row);
                }
            }
        }
        return out;
    }
}
