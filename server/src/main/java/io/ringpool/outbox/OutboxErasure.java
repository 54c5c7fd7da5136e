package io.ringpool.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Erasing a person (PRODUCT.md §5) also reaches what Ringpool keeps of them on the way out: event
 * bodies (queued ones are then sent scrubbed, delivered ones are no longer readable), receivers'
 * answers in the delivery log, and the rows, requests and answers of upload logs. Each occurrence
 * of the person's phone or e-mail — as stored, without the {@code +}, or URL-encoded as a form
 * body carries it — becomes {@link #ERASED}; events about an erased lead also lose its name,
 * e-mail and message, as the lead itself does. Events about the person's calls and leads lose the
 * copies of the visit the call or lead itself loses (landing page, referrer, client ids; a lead's
 * page URL): before, a queued event went out after the erasure with them, and an upload built from
 * it sent the Metrica client id and landing page of a caller the marketer had erased (audit AI2
 * #3). The client ids found in those events are then looked for everywhere as the phone is (they
 * name the person's browser); click ids stay, as they do on the call. Rows are kept, so delivery
 * counts do not change.
 */
final class OutboxErasure {
    static final String ERASED = "erased";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Lead fields removed with the person, beside the contact values matched by text. */
    private static final List<String> LEAD_PERSONAL = List.of("email", "name", "message");
    /** The copies of the visit a call or lead loses with its person, in an event's {@code data.attribution}. */
    private static final List<String> VISIT_COPIES = List.of("landingPage", "referrer");
    /** A {@code _ga} cookie value, {@code GA1.1.<random>.<time>}: group 1 is the client id GA4 is sent. */
    private static final java.util.regex.Pattern GA_COOKIE = java.util.regex.Pattern.compile("GA\\d+\\.\\d+\\.(\\d+\\.\\d+)");
    /** Shorter client ids are not looked for as text: they could stand inside anything. */
    private static final int CLIENT_ID_MIN_LENGTH = 8;

    private OutboxErasure() {}

    /**
     * @param values   the person's phones (E.164) and e-mails
     * @param subjects ids of the calls and leads that were theirs (their events are scrubbed whatever they contain)
     * @param leads    whether {@code subjects} are leads (their name, e-mail and message go too)
     * @return rows changed
     */
    static int scrub(Connection c, String siteId, Collection<String> values, Collection<String> subjects, boolean leads)
            throws SQLException {
        List<String> needles = needles(values);
        if (needles.isEmpty() && subjects.isEmpty()) {
            return 0;
        }
        Set<String> clientIds = new LinkedHashSet<>();
        int changed = scrubEvents(c, siteId, needles, subjects, leads, clientIds, false);
        List<String> all = new ArrayList<>(needles);
        all.addAll(clientIds);
        all.sort((a, b) -> Integer.compare(b.length(), a.length()));
        if (!clientIds.isEmpty()) {
            // Other events that carry the browser's ids (a lead of the person's visit, say) lose them too.
            changed += scrubEvents(c, siteId, List.copyOf(clientIds), List.of(), false, new LinkedHashSet<>(), false);
        }
        return changed + scrubText(c, siteId, all);
    }

    /**
     * Retention's version of {@link #scrub}: the events about these calls or leads only lose the
     * person's values and visit copies, as those calls and leads just did. Not the person's other
     * events: a caller's newer call keeps its number until it ages too. Logs are not searched:
     * {@link Outbox#purgeSite} deletes what is older than the retention.
     *
     * @return rows changed
     */
    static int scrubAged(Connection c, String siteId, Collection<String> values, Collection<String> subjects, boolean leads)
            throws SQLException {
        List<String> needles = needles(values);
        List<String> all = List.copyOf(subjects);
        int changed = 0;
        for (int from = 0; from < all.size(); from += SUBJECTS_PER_READ) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + SUBJECTS_PER_READ));
            changed += scrubEvents(c, siteId, needles, chunk, leads, new LinkedHashSet<>(), true);
        }
        return changed;
    }

    /** A retention run's first pass over a site may age thousands of calls: their events are read this many at a time. */
    private static final int SUBJECTS_PER_READ = 200;

    /** Longest first, so "+7916…" is replaced before its digits alone are looked for. */
    static List<String> needles(Collection<String> values) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : values) {
            if (v == null || v.isBlank() || ERASED.equals(v)) {
                continue;
            }
            out.add(v);
            out.add(URLEncoder.encode(v, StandardCharsets.UTF_8));
            if (v.startsWith("+") && v.length() > 7) {
                out.add(v.substring(1));
            }
            if (v.contains("@")) {
                out.add(v.toLowerCase(Locale.ROOT));
            }
        }
        List<String> sorted = new ArrayList<>(out);
        sorted.sort((a, b) -> Integer.compare(b.length(), a.length()));
        return sorted;
    }

    static String replaceAll(String text, List<String> needles) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String n : needles) {
            out = out.replace(n, ERASED);
        }
        return out;
    }

    /**
     * @param clientIds     filled with the client ids the subjects' events carried
     * @param subjectsOnly  only the subjects' events are read (else also any event that carries a needle)
     */
    private static int scrubEvents(Connection c, String siteId, List<String> needles, Collection<String> subjects, boolean leads,
            Set<String> clientIds, boolean subjectsOnly) throws SQLException {
        if (needles.isEmpty() && subjects.isEmpty()) {
            return 0;
        }
        Map<String, String[]> found = new LinkedHashMap<>();
        StringBuilder where = new StringBuilder();
        List<String> params = new ArrayList<>();
        for (String s : subjects) {
            where.append(where.isEmpty() ? "" : " OR ").append("subject_id = ?");
            params.add(s);
        }
        for (String n : subjectsOnly ? List.<String>of() : needles) {
            where.append(where.isEmpty() ? "" : " OR ").append("payload LIKE ?");
            params.add("%" + n + "%");
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT event_id, subject_id, payload FROM outbox_events WHERE site_id = ? AND (" + where + ")")) {
            ps.setString(1, siteId);
            for (int i = 0; i < params.size(); i++) {
                ps.setString(i + 2, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                }
            }
        }
        int changed = 0;
        for (Map.Entry<String, String[]> e : found.entrySet()) {
            boolean persons = subjects.contains(e.getValue()[0]);
            String scrubbed = scrubPayload(e.getValue()[1], needles, persons, persons && leads, clientIds);
            if (scrubbed.equals(e.getValue()[1])) {
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_events SET payload = ? WHERE event_id = ?")) {
                ps.setString(1, scrubbed);
                ps.setString(2, e.getKey());
                changed += ps.executeUpdate();
            }
        }
        return changed;
    }

    private static String scrubPayload(String payload, List<String> needles, boolean persons, boolean personsLead,
            Set<String> clientIds) {
        JsonNode body;
        try {
            body = JSON.readTree(payload);
        } catch (IOException unreadable) {
            return replaceAll(payload, needles);
        }
        if (persons && body.path("data") instanceof ObjectNode data) {
            removeVisitCopies(data, personsLead, clientIds);
        }
        if (personsLead && body.path("data") instanceof ObjectNode data) {
            LEAD_PERSONAL.forEach(f -> {
                if (data.has(f)) {
                    data.putNull(f);
                }
            });
            if (data.has("erased")) {
                data.put("erased", true);
            }
        }
        JsonNode scrubbed = scrubNode(body, needles);
        try {
            return JSON.writeValueAsString(scrubbed);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a scrubbed event", e);
        }
    }

    /** As the call or lead itself loses them: its attribution's landing page, referrer and client ids, a lead's page URL. */
    private static void removeVisitCopies(ObjectNode data, boolean lead, Set<String> clientIds) {
        if (data.path("attribution") instanceof ObjectNode attribution) {
            VISIT_COPIES.forEach(f -> {
                if (attribution.has(f)) {
                    attribution.putNull(f);
                }
            });
            if (attribution.path("clientIds") instanceof ObjectNode ids) {
                ids.properties().forEach(id -> {
                    if (id.getValue().isTextual() && id.getValue().asText().length() >= CLIENT_ID_MIN_LENGTH) {
                        clientIds.add(id.getValue().asText());
                        // GA4's Measurement Protocol takes the _ga cookie without its "GA1.1." prefix: the
                        // upload log holds that form (audit AJ2 #1).
                        java.util.regex.Matcher ga = GA_COOKIE.matcher(id.getValue().asText());
                        if (ga.matches()) {
                            clientIds.add(ga.group(1));
                        }
                    }
                });
                ids.removeAll();
            }
        }
        if (lead && data.has("url")) {
            data.putNull("url");
        }
    }

    private static JsonNode scrubNode(JsonNode node, List<String> needles) {
        if (node.isTextual()) {
            String s = replaceAll(node.asText(), needles);
            return s.equals(node.asText()) ? node : TextNode.valueOf(s);
        }
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            it.forEachRemaining(fields::add);
            for (Map.Entry<String, JsonNode> f : fields) {
                o.set(f.getKey(), scrubNode(f.getValue(), needles));
            }
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = (ArrayNode) node;
            for (int i = 0; i < a.size(); i++) {
                a.set(i, scrubNode(a.get(i), needles));
            }
        }
        return node;
    }

    /** The delivery log's answers and the upload logs: text columns, replaced in place. */
    private static int scrubText(Connection c, String siteId, List<String> needles) throws SQLException {
        int changed = 0;
        for (String n : needles) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_attempts SET response = REPLACE(response, ?, ?) "
                    + "WHERE response LIKE ? AND delivery_id IN (SELECT delivery_id FROM outbox_deliveries WHERE site_id = ?)")) {
                ps.setString(1, n);
                ps.setString(2, ERASED);
                ps.setString(3, "%" + n + "%");
                ps.setString(4, siteId);
                changed += ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE uploads SET rows_json = REPLACE(rows_json, ?, ?), "
                    + "request_json = REPLACE(request_json, ?, ?), response_body = REPLACE(response_body, ?, ?) "
                    + "WHERE site_id = ? AND (rows_json LIKE ? OR request_json LIKE ? OR response_body LIKE ?)")) {
                for (int i = 0; i < 3; i++) {
                    ps.setString(1 + 2 * i, n);
                    ps.setString(2 + 2 * i, ERASED);
                }
                ps.setString(7, siteId);
                ps.setString(8, "%" + n + "%");
                ps.setString(9, "%" + n + "%");
                ps.setString(10, "%" + n + "%");
                changed += ps.executeUpdate();
            }
        }
        return changed;
    }
}
