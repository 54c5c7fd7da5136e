package io.ringpool.lead;

import io.ringpool.call.PersonPseudonym;
import io.ringpool.visit.AnalyticsClientIds;
import io.ringpool.visit.VisitSource;
import io.ringpool.store.StorageJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Leads in the database (V20__leads.sql), and the reads their attribution needs from the visits
 * ({@code sessions}) and calls tables. Every method works on the caller's connection, so one lead
 * is one transaction.
 */
final class LeadStore {

    private static final String LEAD_COLUMNS = "lead_id, site_id, kind, origin, form_id, page_url, at, last_at, submissions, phone, "
            + "phone_valid, email, email_valid, name, message, status, is_unique, method, contact_of, session_id, visitor_id, "
            + "source, medium, campaign, term, content, channel, landing_page, referrer, gclid, yclid, click_ids_json, "
            + "client_ids_json, device_type, browser, os, tags_json, lead_value, currency";

    private static final String VISIT_COLUMNS = "session_id, visitor_id, started_at, source, medium, campaign, term, content, channel, "
            + "landing_page, referrer, click_ids_json, client_ids_json, device_type, browser, os";

    /** A session as the script route needs it: which site, which visitor, and whether it is over. */
    record SessionRow(String sessionId, String siteId, String visitorId, Long endedAt) {}

    /** A visit found for a lead. */
    record FoundVisit(String sessionId, String visitorId, VisitSource visit) {}

    /** An earlier call or lead of the same person, with the attribution a lead may inherit. */
    record EarlierContact(String id, Instant at, String sessionId, String visitorId, VisitSource visit, String gclid,
            String yclid) {}

    /** A lead of one person, as uniqueness is decided from. */
    record PersonLead(String leadId, Instant at, boolean unique) {}

    private LeadStore() {}

    // ---- visits and sessions -----------------------------------------------------------------

    static Optional<SessionRow> session(Connection c, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id, site_id, visitor_id, ended_at FROM sessions WHERE session_id = ?")) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long ended = rs.getLong(4);
                Long endedAt = rs.wasNull() ? null : ended;
                return Optional.of(new SessionRow(rs.getString(1), rs.getString(2), rs.getString(3), endedAt));
            }
        }
    }

    static Optional<FoundVisit> visit(Connection c, String siteId, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + VISIT_COLUMNS + " FROM sessions WHERE site_id = ? AND session_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(readVisit(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Both "latest" reads below walk their index backwards, ordered by all of its columns: ordered
     * by {@code started_at DESC} alone H2 reads and sorts every visit of the visitor (every call of
     * the caller) in the range before taking the first, and a visitor id reused by a bot, or a
     * caller with thousands of calls, makes that the whole history. {@code HistoryReadPlanTest}
     * checks the plans.
     */
    static final String LATEST_VISIT_OF_VISITOR = "SELECT " + VISIT_COLUMNS + " FROM sessions WHERE site_id = ? AND visitor_id = ? "
            + "AND started_at >= ? AND started_at <= ? ORDER BY site_id DESC, visitor_id DESC, started_at DESC LIMIT 1";

    static final String EARLIER_ATTRIBUTED_CALL = "SELECT call_id, started_at, session_id, visitor_id, source, medium, campaign, "
            + "term, content, channel, landing_page, referrer, gclid, yclid, click_ids_json, client_ids_json, device_type, browser, os "
            + "FROM calls WHERE site_id = ? AND caller = ? AND caller_valid = TRUE AND started_at >= ? AND started_at < ? "
            + "AND method <> 'none' ORDER BY site_id DESC, caller DESC, started_at DESC LIMIT 1";

    /** The visitor's latest visit that started in [{@code from}, {@code to}]. Served by index sessions_site_visitor. */
    static Optional<FoundVisit> latestVisitOfVisitor(Connection c, String siteId, String visitorId, long from, long to)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LATEST_VISIT_OF_VISITOR)) {
            ps.setString(1, siteId);
            ps.setString(2, visitorId);
            ps.setLong(3, from);
            ps.setLong(4, to);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(readVisit(rs)) : Optional.empty();
            }
        }
    }

    /**
     * The latest visit in [{@code from}, {@code to}] whose click ids ({@code clickIds} true) or
     * analytics client ids hold {@code key} = {@code value}. The ids live in a JSON column, so this
     * scans the site's visits of the horizon (index sessions_site_started) with a LIKE that the
     * parsed map then confirms; see docs/leads.md "Limits".
     */
    static Optional<FoundVisit> latestVisitWithId(Connection c, String siteId, boolean clickIds, String key, String value, long from,
            long to) throws SQLException {
        String column = clickIds ? "click_ids_json" : "client_ids_json";
        // The stored map is StorageJson's compact form, so an entry reads exactly "key":"value". A GA
        // id may be stored in its other spelling (GA1.1.<id> or <id>): only its end is matched there.
        String fragment = !clickIds && "ga".equals(key)
                ? likeEscape(StorageJson.write(key) + ":\"") + "%" + likeEscape(StorageJson.write(AnalyticsClientIds.gaClientId(value)).substring(1))
                : likeEscape(StorageJson.write(key) + ":" + StorageJson.write(value));
        try (PreparedStatement ps = c.prepareStatement("SELECT " + VISIT_COLUMNS + " FROM sessions WHERE site_id = ? AND started_at >= ? "
                + "AND started_at <= ? AND " + column + " LIKE ? ESCAPE '\\' ORDER BY started_at DESC")) {
            ps.setString(1, siteId);
            ps.setLong(2, from);
            ps.setLong(3, to);
            ps.setString(4, "%" + fragment + "%");
            ps.setMaxRows(20);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    FoundVisit v = readVisit(rs);
                    Map<String, String> ids = clickIds ? v.visit().clickIds() : v.visit().clientIds();
                    if (clickIds ? value.equals(ids.get(key)) : AnalyticsClientIds.same(key, value, ids.get(key))) {
                        return Optional.of(v);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static FoundVisit readVisit(ResultSet rs) throws SQLException {
        return new FoundVisit(rs.getString("session_id"), rs.getString("visitor_id"), new VisitSource(
                Instant.ofEpochMilli(rs.getLong("started_at")), rs.getString("source"), rs.getString("medium"),
                rs.getString("campaign"), rs.getString("term"), rs.getString("content"), rs.getString("channel"),
                rs.getString("landing_page"), rs.getString("referrer"), stringMap(rs.getString("click_ids_json")),
                stringMap(rs.getString("client_ids_json")), rs.getString("device_type"), rs.getString("browser"), rs.getString("os")));
    }

    // ---- what contact attribution reads ----------------------------------------------------------

    /** The latest attributed call from {@code phone} in [{@code from}, {@code before}). Served by index calls_site_caller. */
    static Optional<EarlierContact> earlierAttributedCall(Connection c, String siteId, String phone, long from, long before)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(EARLIER_ATTRIBUTED_CALL)) {
            ps.setString(1, siteId);
            ps.setString(2, phone);
            ps.setLong(3, from);
            ps.setLong(4, before);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(readEarlier(rs, "call_id", "started_at")) : Optional.empty();
            }
        }
    }

    /**
     * The latest attributed lead of the person (by phone or e-mail) in [{@code from}, {@code before});
     * not one marked spam, whose visit may be a bot's that typed the person's number.
     */
    static Optional<EarlierContact> earlierAttributedLead(Connection c, String siteId, String phone, String email, long from,
            long before) throws SQLException {
        Optional<EarlierContact> best = Optional.empty();
        for (String[] key : personKeys(phone, email)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT lead_id, at, session_id, visitor_id, source, medium, campaign, term, "
                    + "content, channel, landing_page, referrer, gclid, yclid, click_ids_json, client_ids_json, device_type, browser, os "
                    + "FROM leads WHERE site_id = ? AND " + key[0] + " = ? AND " + key[0] + "_valid = TRUE AND at >= ? AND at < ? "
                    + "AND method <> 'none' AND status <> 'spam' ORDER BY at DESC LIMIT 1")) {
                ps.setString(1, siteId);
                ps.setString(2, key[1]);
                ps.setLong(3, from);
                ps.setLong(4, before);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        EarlierContact found = readEarlier(rs, "lead_id", "at");
                        if (best.isEmpty() || found.at().isAfter(best.get().at())) {
                            best = Optional.of(found);
                        }
                    }
                }
            }
        }
        return best;
    }

    private static EarlierContact readEarlier(ResultSet rs, String idColumn, String atColumn) throws SQLException {
        String source = rs.getString("source");
        VisitSource visit = new VisitSource(null, source, rs.getString("medium"), rs.getString("campaign"),
                rs.getString("term"), rs.getString("content"), rs.getString("channel"), rs.getString("landing_page"),
                rs.getString("referrer"), stringMap(rs.getString("click_ids_json")), stringMap(rs.getString("client_ids_json")),
                rs.getString("device_type"), rs.getString("browser"), rs.getString("os"));
        return new EarlierContact(rs.getString(idColumn), Instant.ofEpochMilli(rs.getLong(atColumn)), rs.getString("session_id"),
                rs.getString("visitor_id"), visit, rs.getString("gclid"), rs.getString("yclid"));
    }

    /** (column, value) pairs that identify a person; the column names come from this fixed list only. */
    private static List<String[]> personKeys(String phone, String email) {
        List<String[]> keys = new ArrayList<>(2);
        if (phone != null) {
            keys.add(new String[] {"phone", phone});
        }
        if (email != null) {
            keys.add(new String[] {"email", email});
        }
        return keys;
    }

    // ---- external ids ---------------------------------------------------------------------------

    static Optional<String> leadIdByExternalId(Connection c, String siteId, String externalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT lead_id FROM lead_external_ids WHERE site_id = ? AND external_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** Records the sender's id; a concurrent first delivery of the same id fails on the primary key. */
    static void insertExternalId(Connection c, String siteId, String externalId, String leadId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO lead_external_ids(site_id, external_id, lead_id) VALUES (?,?,?)")) {
            ps.setString(1, siteId);
            ps.setString(2, externalId);
            ps.setString(3, leadId);
            ps.executeUpdate();
        }
    }

    // ---- leads ----------------------------------------------------------------------------------

    /**
     * A lead this one duplicates: same kind and form, same person (a valid phone or e-mail in common,
     * or, when neither has one, the same visitor), made within {@code windowMillis} either side, and
     * saying the same: a different message is another request (a second question two minutes later),
     * so only a lead whose message is blank on either side or equal is one. A form known only by its
     * index on the page ("0": the script's name for a form with no id or name) is the same form on the
     * same page path only: one-form pages all send "0".
     */
    static Optional<StoredLead> duplicateOf(Connection c, String siteId, StoredLead candidate, String visitorId, long windowMillis)
            throws SQLException {
        Contact contact = candidate.contact();
        String formId = candidate.formId();
        long at = candidate.at().toEpochMilli();
        List<String[]> keys = personKeys(contact.personPhone(), contact.personEmail());
        if (keys.isEmpty()) {
            if (visitorId == null) {
                return Optional.empty();
            }
            keys = List.<String[]>of(new String[] {"visitor_id", visitorId});
        }
        for (String[] key : keys) {
            String validity = key[0].equals("visitor_id") ? " AND phone_valid = FALSE AND email_valid = FALSE"
                    : " AND " + key[0] + "_valid = TRUE";
            try (PreparedStatement ps = c.prepareStatement("SELECT " + LEAD_COLUMNS + " FROM leads WHERE site_id = ? AND " + key[0]
                    + " = ?" + validity + " AND kind = ? AND at >= ? AND at <= ? AND "
                    + (formId == null ? "form_id IS NULL" : "form_id = ?") + " ORDER BY at, lead_id")) {
                int i = 1;
                ps.setString(i++, siteId);
                ps.setString(i++, key[1]);
                ps.setString(i++, candidate.kind().wireName());
                ps.setLong(i++, at - windowMillis);
                ps.setLong(i++, at + windowMillis);
                if (formId != null) {
                    ps.setString(i, formId);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        StoredLead earlier = read(rs);
                        if (saysTheSame(earlier, candidate)) {
                            return Optional.of(earlier);
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static final java.util.regex.Pattern FORM_INDEX = java.util.regex.Pattern.compile("[0-9]+");

    private static boolean saysTheSame(StoredLead earlier, StoredLead later) {
        if (earlier.message() != null && later.message() != null && !earlier.message().equals(later.message())) {
            return false;
        }
        if (later.formId() != null && FORM_INDEX.matcher(later.formId()).matches() && earlier.pageUrl() != null
                && later.pageUrl() != null) {
            return java.util.Objects.equals(path(earlier.pageUrl()), path(later.pageUrl()));
        }
        return true;
    }

    /** The path of a page URL as stored (already minimised), or the URL when it cannot be read. */
    private static String path(String url) {
        try {
            String p = java.net.URI.create(url).getRawPath();
            return p == null || p.isEmpty() ? "/" : p;
        } catch (IllegalArgumentException unreadable) {
            int end = url.length();
            for (char stop : new char[] {'?', '#'}) {
                int at = url.indexOf(stop);
                if (at >= 0 && at < end) {
                    end = at;
                }
            }
            return url.substring(0, end);
        }
    }

    static void insert(Connection c, StoredLead lead, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO leads(" + LEAD_COLUMNS + ", created_at, updated_at) VALUES ("
                + "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            int i = 1;
            ps.setString(i++, lead.leadId());
            ps.setString(i++, lead.siteId());
            ps.setString(i++, lead.kind().wireName());
            ps.setString(i++, lead.origin().wireName());
            ps.setString(i++, lead.formId());
            ps.setString(i++, lead.pageUrl());
            ps.setLong(i++, lead.at().toEpochMilli());
            ps.setLong(i++, lead.lastAt().toEpochMilli());
            ps.setInt(i++, lead.submissions());
            Contact k = lead.contact();
            ps.setString(i++, k.phone());
            ps.setBoolean(i++, k.phoneValid());
            ps.setString(i++, k.email());
            ps.setBoolean(i++, k.emailValid());
            ps.setString(i++, lead.name());
            ps.setString(i++, lead.message());
            ps.setString(i++, lead.status().wireName());
            ps.setBoolean(i++, lead.unique());
            i = setAttribution(ps, i, lead.attribution());
            ps.setString(i++, json(lead.tags()));
            if (lead.value() == null) {
                ps.setNull(i++, Types.DOUBLE);
            } else {
                ps.setDouble(i++, lead.value());
            }
            ps.setString(i++, lead.currency());
            ps.setLong(i++, now);
            ps.setLong(i, now);
            ps.executeUpdate();
        }
        replaceTags(c, lead.siteId(), lead.leadId(), lead.tags());
    }

    /**
     * Folds a duplicate into {@code lead}: one more submission, the latest time, and what the first
     * submission lacked (a name typed the second time, the page, the order's value, tags). The first
     * submission's words are kept. A duplicate attributed with more trust replaces the attribution:
     * the site's backend and the script often send the same form at once, and which arrives first
     * (the backend's, with just the phone) must not decide whether the lead keeps its visit.
     */
    static void mergeDuplicate(Connection c, StoredLead lead, StoredLead duplicate, long now) throws SQLException {
        if (duplicate.attribution().method().ordinal() < lead.attribution().method().ordinal()) {
            replaceAttribution(c, lead, withIdsOf(lead.attribution(), duplicate.attribution()));
        } else {
            fillClickAndClientIds(c, lead, withIdsOf(duplicate.attribution(), lead.attribution()));
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET form_id = COALESCE(form_id, ?), page_url = COALESCE(page_url, ?), "
                + "lead_value = COALESCE(lead_value, ?), currency = CASE WHEN lead_value IS NULL THEN ? ELSE currency END "
                + "WHERE site_id = ? AND lead_id = ?")) {
            ps.setString(1, duplicate.formId());
            ps.setString(2, duplicate.pageUrl());
            if (duplicate.value() == null) {
                ps.setNull(3, Types.DOUBLE);
            } else {
                ps.setDouble(3, duplicate.value());
            }
            ps.setString(4, duplicate.value() == null ? lead.currency() : duplicate.currency());
            ps.setString(5, lead.siteId());
            ps.setString(6, lead.leadId());
            ps.executeUpdate();
        }
        if (!lead.tags().containsAll(duplicate.tags())) {
            java.util.LinkedHashSet<String> tags = new java.util.LinkedHashSet<>(lead.tags());
            tags.addAll(duplicate.tags());
            try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET tags_json = ? WHERE site_id = ? AND lead_id = ?")) {
                ps.setString(1, json(List.copyOf(tags)));
                ps.setString(2, lead.siteId());
                ps.setString(3, lead.leadId());
                ps.executeUpdate();
            }
            replaceTags(c, lead.siteId(), lead.leadId(), List.copyOf(tags));
        }
        mergeContact(c, lead, duplicate, now);
    }

    /** {@code kept}, with the click ids and analytics client ids it lacks taken from {@code other}. */
    private static LeadAttribution withIdsOf(LeadAttribution other, LeadAttribution kept) {
        Map<String, String> clientIds = new java.util.LinkedHashMap<>(other.clientIds());
        clientIds.putAll(kept.clientIds());
        return new LeadAttribution(kept.method(), kept.sessionId(), kept.visitorId(), kept.visit(),
                kept.gclid() != null ? kept.gclid() : other.gclid(), kept.yclid() != null ? kept.yclid() : other.yclid(), clientIds,
                kept.contactOf());
    }

    private static void fillClickAndClientIds(Connection c, StoredLead lead, LeadAttribution a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET gclid = ?, yclid = ?, client_ids_json = ? WHERE site_id = ? AND lead_id = ?")) {
            ps.setString(1, a.gclid());
            ps.setString(2, a.yclid());
            ps.setString(3, a.clientIds().isEmpty() ? null : json(a.clientIds()));
            ps.setString(4, lead.siteId());
            ps.setString(5, lead.leadId());
            ps.executeUpdate();
        }
    }

    private static void replaceAttribution(Connection c, StoredLead lead, LeadAttribution a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET method = ?, contact_of = ?, session_id = ?, visitor_id = ?, "
                + "source = ?, medium = ?, campaign = ?, term = ?, content = ?, channel = ?, landing_page = ?, referrer = ?, gclid = ?, "
                + "yclid = ?, click_ids_json = ?, client_ids_json = ?, device_type = ?, browser = ?, os = ? WHERE site_id = ? AND lead_id = ?")) {
            int i = setAttribution(ps, 1, a);
            ps.setString(i++, lead.siteId());
            ps.setString(i, lead.leadId());
            ps.executeUpdate();
        }
    }

    /** Binds the attribution columns, in {@link #LEAD_COLUMNS}' order from {@code method} to {@code os}; returns the next index. */
    private static int setAttribution(PreparedStatement ps, int first, LeadAttribution a) throws SQLException {
        VisitSource v = a.visit();
        int i = first;
        ps.setString(i++, a.method().wireName());
        ps.setString(i++, a.contactOf());
        ps.setString(i++, a.sessionId());
        ps.setString(i++, a.visitorId());
        ps.setString(i++, v == null ? null : v.source());
        ps.setString(i++, v == null ? null : v.medium());
        ps.setString(i++, v == null ? null : v.campaign());
        ps.setString(i++, v == null ? null : v.term());
        ps.setString(i++, v == null ? null : v.content());
        ps.setString(i++, v == null ? null : v.channel());
        ps.setString(i++, v == null ? null : v.landingPage());
        ps.setString(i++, v == null ? null : v.referrer());
        ps.setString(i++, a.gclid());
        ps.setString(i++, a.yclid());
        ps.setString(i++, v == null || v.clickIds().isEmpty() ? null : json(v.clickIds()));
        ps.setString(i++, a.clientIds().isEmpty() ? null : json(a.clientIds()));
        ps.setString(i++, v == null ? null : v.deviceType());
        ps.setString(i++, v == null ? null : v.browser());
        ps.setString(i++, v == null ? null : v.os());
        return i;
    }

    private static void mergeContact(Connection c, StoredLead lead, StoredLead duplicate, long now) throws SQLException {
        Contact k = lead.contact();
        Contact d = duplicate.contact();
        boolean takePhone = !k.phoneValid() && d.phone() != null && (d.phoneValid() || k.phone() == null);
        boolean takeEmail = !k.emailValid() && d.email() != null && (d.emailValid() || k.email() == null);
        try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET submissions = submissions + 1, last_at = ?, phone = ?, "
                + "phone_valid = ?, email = ?, email_valid = ?, name = ?, message = ?, updated_at = ? WHERE site_id = ? AND lead_id = ?")) {
            ps.setLong(1, Math.max(lead.lastAt().toEpochMilli(), duplicate.at().toEpochMilli()));
            ps.setString(2, takePhone ? d.phone() : k.phone());
            ps.setBoolean(3, takePhone ? d.phoneValid() : k.phoneValid());
            ps.setString(4, takeEmail ? d.email() : k.email());
            ps.setBoolean(5, takeEmail ? d.emailValid() : k.emailValid());
            ps.setString(6, lead.name() != null ? lead.name() : duplicate.name());
            ps.setString(7, lead.message() != null ? lead.message() : duplicate.message());
            ps.setLong(8, now);
            ps.setString(9, lead.siteId());
            ps.setString(10, lead.leadId());
            ps.executeUpdate();
        }
    }

    static Optional<StoredLead> byId(Connection c, String siteId, String leadId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + LEAD_COLUMNS + " FROM leads WHERE site_id = ? AND lead_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, leadId);
            return one(ps);
        }
    }

    /** As {@link #byId}, with the row locked until the transaction ends: a person's edit reads what it changes. */
    static Optional<StoredLead> byIdForEdit(Connection c, String siteId, String leadId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + LEAD_COLUMNS + " FROM leads WHERE site_id = ? AND lead_id = ? FOR UPDATE")) {
            ps.setString(1, siteId);
            ps.setString(2, leadId);
            return one(ps);
        }
    }

    /** Every lead sharing a valid phone or e-mail with the person, oldest first. */
    static List<StoredLead> leadsOfPerson(Connection c, String siteId, String phone, String email) throws SQLException {
        Map<String, StoredLead> byId = new java.util.LinkedHashMap<>();
        for (String[] key : personKeys(phone, email)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + LEAD_COLUMNS + " FROM leads WHERE site_id = ? AND " + key[0]
                    + " = ? AND " + key[0] + "_valid = TRUE")) {
                ps.setString(1, siteId);
                ps.setString(2, key[1]);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        StoredLead l = read(rs);
                        byId.put(l.leadId(), l);
                    }
                }
            }
        }
        List<StoredLead> out = new ArrayList<>(byId.values());
        out.sort(java.util.Comparator.comparing(StoredLead::at).thenComparing(StoredLead::leadId));
        return out;
    }

    /**
     * A lead as a site-wide reclassification of uniqueness reads it: its valid phone and e-mail, or
     * the keys they left when erased (0 when none).
     */
    record PersonOfLead(String leadId, java.time.Instant at, String phone, String email, long erasedPhoneKey, long erasedEmailKey,
            boolean unique, boolean spam) {}

    /** Every lead of the site with its person keys (valid phone, valid e-mail, erased keys), oldest first. */
    static List<PersonOfLead> personsOfSite(Connection c, String siteId) throws SQLException {
        List<PersonOfLead> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT lead_id, at, phone, phone_valid, email, email_valid, is_unique, "
                + "erased_phone_key, erased_email_key, status FROM leads WHERE site_id = ? ORDER BY at, lead_id")) {
            ps.setString(1, siteId);
            ps.setFetchSize(5_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // getLong reads NULL as 0, "no key".
                    out.add(new PersonOfLead(rs.getString(1), java.time.Instant.ofEpochMilli(rs.getLong(2)),
                            rs.getBoolean(4) ? rs.getString(3) : null, rs.getBoolean(6) ? rs.getString(5) : null, rs.getLong(8),
                            rs.getLong(9), rs.getBoolean(7), LeadStatus.SPAM.wireName().equals(rs.getString(10))));
                }
            }
        }
        return out;
    }

    /** Also moves updated_at: reports re-read leads changed since their last look, and this is a change. */
    static void updateUnique(Connection c, String siteId, String leadId, boolean unique, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET is_unique = ?, updated_at = ? WHERE site_id = ? AND lead_id = ?")) {
            ps.setBoolean(1, unique);
            ps.setLong(2, now);
            ps.setString(3, siteId);
            ps.setString(4, leadId);
            ps.executeUpdate();
        }
    }

    /** The calls from {@code phone} since {@code from}, oldest first: the calls a lead led to. */
    static List<LinkedCall> callsFrom(Connection c, String siteId, String phone, long from, int max) throws SQLException {
        List<LinkedCall> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT call_id, started_at FROM calls WHERE site_id = ? AND caller = ? "
                + "AND caller_valid = TRUE AND started_at >= ? ORDER BY started_at")) {
            ps.setString(1, siteId);
            ps.setString(2, phone);
            ps.setLong(3, from);
            ps.setMaxRows(max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new LinkedCall(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))));
                }
            }
        }
        return out;
    }

    /** The leads of these valid phones, oldest first per phone (for the call log's {@code leads}). */
    static Map<String, List<io.ringpool.call.ContactLeads.Lead>> leadsFrom(Connection c, String siteId, java.util.Set<String> phones)
            throws SQLException {
        Map<String, List<io.ringpool.call.ContactLeads.Lead>> out = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT lead_id, kind, at FROM leads WHERE site_id = ? AND phone = ? "
                + "AND phone_valid = TRUE ORDER BY at, lead_id")) {
            for (String phone : phones) {
                ps.setString(1, siteId);
                ps.setString(2, phone);
                ps.setMaxRows(1_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(phone, p -> new ArrayList<>()).add(new io.ringpool.call.ContactLeads.Lead(rs.getString(1),
                                rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
                    }
                }
            }
        }
        return out;
    }

    /** A call a lead led to (the same phone, later). */
    record LinkedCall(String callId, Instant startedAt) {}

    /** The lead log: keyset pagination on (at desc, lead_id desc); reads one row more than the page to know if another follows. */
    static List<StoredLead> query(Connection c, LeadQuery q) throws SQLException {
        List<Object> args = new ArrayList<>();
        String sql = querySql(q, args);
        List<StoredLead> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                Object a = args.get(i);
                if (a instanceof Long l) {
                    ps.setLong(i + 1, l);
                } else {
                    ps.setString(i + 1, (String) a);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
        return out;
    }

    /**
     * The lead log's SQL, its parameters added to {@code args}, read as the call log's is ({@code CallLogQuery}):
     * leads_site_at (site, at, id) walked backwards from the range's end or the cursor, the filters tested on the
     * leads it meets, and the walk stopped when the page and one more are read, so a page costs about the same over
     * a year as over a day. Source, medium, campaign, channel and tag match without regard to case, as
     * {@code LOWER(column) = LOWER(?)}; a tag is probed through lead_tags' primary key (lead_id, tag).
     * {@code LeadLogPlanTest} holds the plans on H2, {@code LeadLogPlanOnPostgresTest} on PostgreSQL.
     */
    static String querySql(LeadQuery q, List<Object> args) {
        StringBuilder sql = new StringBuilder("SELECT ").append(LEAD_COLUMNS).append(" FROM leads WHERE site_id = ?");
        args.add(q.siteId());
        // A lower bound even for the whole log: with site_id alone, H2 walks the site_id index of the foreign key (or
        // another index that starts with site_id) and sorts every lead of the site for a page.
        sql.append(" AND at >= ?");
        args.add(q.from() == null ? Long.MIN_VALUE : q.from().toEpochMilli());
        if (q.to() != null) {
            sql.append(" AND at < ?");
            args.add(q.to().toEpochMilli());
        }
        for (Map.Entry<LeadQuery.Filter, String> e : q.equalities().entrySet()) {
            String column = e.getKey().column();
            sql.append(e.getKey().ignoresCase() ? " AND LOWER(" + column + ") = LOWER(?)" : " AND " + column + " = ?");
            args.add(e.getValue());
        }
        if (q.tag() != null) {
            // By the row's id alone (ids are unique across sites): with a site_id equality too, H2
            // may choose the (site_id, tag) index, a walk over the site's tags for every row.
            sql.append(" AND EXISTS (SELECT 1 FROM lead_tags t WHERE t.lead_id = leads.lead_id "
                    + "AND LOWER(t.tag) = LOWER(?))");
            args.add(q.tag());
        }
        if (q.after() != null) {
            // "Before the cursor in log order", (at < t OR (at = t AND lead_id < id)), written with the plain bound
            // at <= t first: an OR is no index bound, so the walk would start at the range's end and step over every
            // newer lead to reach the cursor, a cost growing with the page's depth.
            sql.append(" AND at <= ? AND (at < ? OR lead_id < ?)");
            args.add(q.after().at().toEpochMilli());
            args.add(q.after().at().toEpochMilli());
            args.add(q.after().leadId());
        }
        sql.append(NEWEST_FIRST);
        // The page and one more (is there a next page?), a parameter: one statement text for every page size.
        sql.append(" FETCH FIRST ? ROWS ONLY");
        args.add((long) q.limit() + 1);
        return sql.toString();
    }

    /**
     * Newest first, in the order of leads_site_at (site, at, id) walked backwards, so a page reads its rows and stops.
     * site_id is one value here (the WHERE's equality), so leading with it changes no answer; H2 needs it to match an
     * ORDER BY to an index, which it does from the index's first column only: ordered by (at, id) alone it read and
     * sorted every lead of the range before the first row of a page (50,000 leads over a year: scanCount 50,001 for
     * a page of 50). PostgreSQL walks the same index backwards either way.
     */
    private static final String NEWEST_FIRST = " ORDER BY site_id DESC, at DESC, lead_id DESC";

    static void updateMarketing(Connection c, String siteId, String leadId, List<String> tags, Double value, String currency,
            LeadStatus status, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET tags_json = ?, lead_value = ?, currency = ?, status = ?, "
                + "updated_at = ? WHERE site_id = ? AND lead_id = ?")) {
            ps.setString(1, json(tags));
            if (value == null) {
                ps.setNull(2, Types.DOUBLE);
            } else {
                ps.setDouble(2, value);
            }
            ps.setString(3, currency);
            ps.setString(4, status.wireName());
            ps.setLong(5, now);
            ps.setString(6, siteId);
            ps.setString(7, leadId);
            ps.executeUpdate();
        }
        replaceTags(c, siteId, leadId, tags);
    }

    private static void replaceTags(Connection c, String siteId, String leadId, List<String> tags) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM lead_tags WHERE lead_id = ?")) {
            ps.setString(1, leadId);
            ps.executeUpdate();
        }
        if (tags.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO lead_tags(site_id, lead_id, tag) VALUES (?,?,?)")) {
            for (String tag : tags) {
                ps.setString(1, siteId);
                ps.setString(2, leadId);
                ps.setString(3, tag);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** What erasure clears besides the contact: the lead's copies of its visit and the page it was sent from, as a call's (README "Personal data"). */
    private static final String VISIT_COPIES_CLEARED = "page_url = NULL, landing_page = NULL, referrer = NULL, client_ids_json = NULL";

    /**
     * Erases the personal data of every lead with one of {@code phones} or {@code emails}: the phone
     * becomes {@link Contact#ERASED}, e-mail, name and message are removed, and so are the copies of
     * the visit a call loses with its caller (landing page, referrer, client ids; and the page's
     * URL). Kind, times, attribution method, click ids, uniqueness and marketing fields stay, so
     * counts do not change. Returns the leads touched.
     */
    static int erase(Connection c, String siteId, Collection<String> phones, Collection<String> emails, long now, PersonPseudonym pseudonym)
            throws SQLException {
        return eraseBy(c, siteId, keysOf(phones, emails), now, pseudonym);
    }

    /** As {@link #erase}, for these leads only: a lead that names no person it could be found by (a mistyped phone, a name alone). */
    static int eraseLeads(Connection c, String siteId, Collection<String> leadIds, long now, PersonPseudonym pseudonym) throws SQLException {
        return eraseBy(c, siteId, leadIds.stream().map(id -> new String[] {"lead_id", id}).toList(), now, pseudonym);
    }

    /** The ids of the leads whose phone, as typed and not a valid number, is exactly {@code text}. */
    static List<String> leadIdsWithPhoneText(Connection c, String siteId, String text) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT lead_id FROM leads WHERE site_id = ? AND phone = ? AND phone_valid = FALSE")) {
            ps.setString(1, siteId);
            ps.setString(2, text);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    private static int eraseBy(Connection c, String siteId, List<String[]> keys, long now, PersonPseudonym pseudonym) throws SQLException {
        for (String[] key : keys) {
            pseudonymise(c, "SELECT lead_id, phone, phone_valid, email, email_valid FROM leads WHERE site_id = ? AND " + key[0] + " = ?",
                    pseudonym, siteId, key[1]);
        }
        int erased = 0;
        for (String[] key : keys) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET phone = ?, phone_valid = FALSE, email = NULL, "
                    + "email_valid = FALSE, name = NULL, message = NULL, " + VISIT_COPIES_CLEARED + ", updated_at = ? "
                    + "WHERE site_id = ? AND " + key[0] + " = ?")) {
                ps.setString(1, Contact.ERASED);
                ps.setLong(2, now);
                ps.setString(3, siteId);
                ps.setString(4, key[1]);
                erased += ps.executeUpdate();
            }
        }
        return erased;
    }

    /**
     * Keeps the valid phone and e-mail of the leads {@code select} finds as {@link PersonPseudonym}
     * keys, before they are erased: the reports' contacts metric still sees who was the same person.
     */
    private static void pseudonymise(Connection c, String select, PersonPseudonym pseudonym, Object... params) throws SQLException {
        Map<String, long[]> keys = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(select)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String phone = rs.getBoolean(3) ? rs.getString(2) : null;
                    String email = rs.getBoolean(5) ? rs.getString(4) : null;
                    if (phone != null || email != null) {
                        keys.put(rs.getString(1), new long[] {phone == null ? 0 : pseudonym.ofPhone(phone),
                                email == null ? 0 : pseudonym.ofEmail(email)});
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET erased_phone_key = ?, erased_email_key = ? WHERE lead_id = ?")) {
            for (Map.Entry<String, long[]> e : keys.entrySet()) {
                setKey(ps, 1, e.getValue()[0]);
                setKey(ps, 2, e.getValue()[1]);
                ps.setString(3, e.getKey());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void setKey(PreparedStatement ps, int index, long key) throws SQLException {
        if (key == 0) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, key);
        }
    }

    /**
     * The leads {@link #purgeBefore} is about to erase: lead id to the phone and e-mail they hold
     * (either may be null). The same leads as its update's condition picks.
     */
    static Map<String, String[]> agedLeads(Connection c, String siteId, long before) throws SQLException {
        Map<String, String[]> out = new java.util.LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT lead_id, phone, email FROM leads WHERE site_id = ? AND at < ? "
                + "AND ((phone IS NOT NULL AND phone <> ?) OR email IS NOT NULL OR name IS NOT NULL OR message IS NOT NULL "
                + "OR page_url IS NOT NULL OR landing_page IS NOT NULL OR referrer IS NOT NULL OR client_ids_json IS NOT NULL)")) {
            ps.setString(1, siteId);
            ps.setLong(2, before);
            ps.setString(3, Contact.ERASED);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                }
            }
        }
        return out;
    }

    /** Erases the personal data of the site's leads made before {@code before}; returns how many changed. */
    static int purgeBefore(Connection c, String siteId, long before, long now, PersonPseudonym pseudonym) throws SQLException {
        pseudonymise(c, "SELECT lead_id, phone, phone_valid, email, email_valid FROM leads WHERE site_id = ? AND at < ? "
                + "AND (phone_valid OR email_valid)", pseudonym, siteId, before);
        try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET phone = ?, phone_valid = FALSE, email = NULL, email_valid = FALSE, "
                + "name = NULL, message = NULL, " + VISIT_COPIES_CLEARED + ", updated_at = ? WHERE site_id = ? AND at < ? "
                + "AND ((phone IS NOT NULL AND phone <> ?) OR email IS NOT NULL OR name IS NOT NULL OR message IS NOT NULL "
                + "OR page_url IS NOT NULL OR landing_page IS NOT NULL OR referrer IS NOT NULL OR client_ids_json IS NOT NULL)")) {
            ps.setString(1, Contact.ERASED);
            ps.setLong(2, now);
            ps.setString(3, siteId);
            ps.setLong(4, before);
            ps.setString(5, Contact.ERASED);
            return ps.executeUpdate();
        }
    }

    private static List<String[]> keysOf(Collection<String> phones, Collection<String> emails) {
        List<String[]> keys = new ArrayList<>();
        phones.forEach(p -> keys.add(new String[] {"phone", p}));
        emails.forEach(e -> keys.add(new String[] {"email", e}));
        return keys;
    }

    // ---- reading rows -----------------------------------------------------------------------------

    private static Optional<StoredLead> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(read(rs)) : Optional.empty();
        }
    }

    static StoredLead read(ResultSet rs) throws SQLException {
        String kindText = rs.getString("kind");
        String statusText = rs.getString("status");
        String methodText = rs.getString("method");
        LeadKind kind = LeadKind.fromWire(kindText).orElseThrow(() -> new SQLException("unknown lead kind: " + kindText));
        LeadStatus status = LeadStatus.fromWire(statusText).orElseThrow(() -> new SQLException("unknown lead status: " + statusText));
        LeadMethod method = LeadMethod.fromWire(methodText).orElseThrow(() -> new SQLException("unknown lead method: " + methodText));
        VisitSource visit = null;
        if (method != LeadMethod.NONE) {
            visit = new VisitSource(null, rs.getString("source"), rs.getString("medium"), rs.getString("campaign"),
                    rs.getString("term"), rs.getString("content"), rs.getString("channel"), rs.getString("landing_page"),
                    rs.getString("referrer"), stringMap(rs.getString("click_ids_json")), stringMap(rs.getString("client_ids_json")),
                    rs.getString("device_type"), rs.getString("browser"), rs.getString("os"));
        }
        LeadAttribution attribution = new LeadAttribution(method, rs.getString("session_id"), rs.getString("visitor_id"), visit,
                rs.getString("gclid"), rs.getString("yclid"), stringMap(rs.getString("client_ids_json")), rs.getString("contact_of"));
        double value = rs.getDouble("lead_value");
        Double leadValue = rs.wasNull() ? null : value;
        return new StoredLead(rs.getString("lead_id"), rs.getString("site_id"), kind,
                "script".equals(rs.getString("origin")) ? NewLead.Origin.SCRIPT : NewLead.Origin.API, rs.getString("form_id"),
                rs.getString("page_url"), Instant.ofEpochMilli(rs.getLong("at")), Instant.ofEpochMilli(rs.getLong("last_at")),
                rs.getInt("submissions"),
                new Contact(rs.getString("phone"), rs.getBoolean("phone_valid"), rs.getString("email"), rs.getBoolean("email_valid")),
                rs.getString("name"), rs.getString("message"), status, rs.getBoolean("is_unique"), attribution,
                stringList(rs.getString("tags_json")), leadValue, rs.getString("currency"));
    }

    private static String json(Object value) {
        return StorageJson.write(value);
    }

    private static Map<String, String> stringMap(String json) {
        return json == null || json.isEmpty() ? Map.of() : StorageJson.readStringMap(json);
    }

    private static List<String> stringList(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        StorageJson.read(json).forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Escapes LIKE's wildcards (and the escape character itself) for a pattern with ESCAPE '\'. */
    static String likeEscape(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
