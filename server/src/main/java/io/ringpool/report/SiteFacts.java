package io.ringpool.report;

import io.ringpool.call.CallerNumber;
import io.ringpool.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The report-relevant facts of one site, held in memory as columns (int codes and longs), and kept
 * up to date incrementally from the store.
 *
 * <h2>Why in memory</h2>
 * The attribution models need each visitor's visit history: a direct visit inherits the visitor's
 * latest non-direct source within 90 days, or the first visit's. On H2 that is a window function
 * over every visit in range, far from 500 ms at a million visits. Here each visit carries, computed
 * once as it is appended, the index of its visitor's previous visit, of the latest non-direct
 * visit and of the first visit within the look-back; a report is then one pass over int arrays.
 * Memory: about 95 bytes a visit (a million visits ≈ 95 MB), of which 24 are the visit's lease
 * (pool, number, end), kept so the pools report replays leases from memory, not from the store.
 *
 * <h2>Staying current (and the cache key)</h2>
 * {@link #refresh} runs before every report and reads only what changed: visits started since the
 * newest one seen (minus {@link #SLACK}, because group commit and other nodes may commit a visit a
 * moment after a later one), and every call of a caller whose calls changed since the newest
 * {@code updated_at} seen (minus the slack) — a new call event reclassifies the caller's other
 * calls (unique, target) without touching their {@code updated_at}, so all of that caller's calls
 * are re-read. Both are index range reads. Rows already held are recognised (visits by session id
 * along the visitor's chain, calls by call id) and only real changes bump {@link #version()}, which
 * is part of every cached report's key. Leads are read the same way, by their own
 * {@code updated_at} (which moves on every change of a lead row). So a cached report is served only while no visit or call
 * that could change it has arrived, on this node or another, and no write path has to call us.
 *
 * <h2>Held from</h2>
 * The facts need not reach back to the site's first visit: {@link FactsTrim} drops the visits (and
 * calls and leads) that started before {@link #heldFrom} — the oldest ones, when the node's bound
 * {@code server.reportMaxVisits} is reached, and those past the site's retention. Everything the
 * store has from {@code heldFrom} on is held; nothing before it is (a row older than it that
 * arrives late is skipped). A first load reads only the newest {@link #coldLoadBudget} visits.
 *
 * <p>Visit source fields never change after the insert; a call's fields may, and are replaced.
 * Not thread-safe: callers hold the instance's monitor ({@link ReportService} does).
 */
final class SiteFacts {
    /** How far back a direct visit looks for a non-direct one, and first_click for the first visit (Calltouch's default). */
    static final long LOOKBACK_MILLIS = Duration.ofDays(90).toMillis();

    /** Commit lag tolerated between a row's time stamp and its visibility: group commit waits at most 10 s. */
    static final long SLACK_MILLIS = 20_000;

    /** {@code Database.writes()} when the last refresh began, and when (System.nanoTime), for ReportService to skip a refresh that cannot find anything. */
    long refreshedAtWrites = -1;
    long refreshedAtNanos;

    /** Longest visitor chain walked to find a call's visit or a duplicate: far beyond any real visitor. */
    private static final int CHAIN_MAX = 5_000;

    /** SQL NULL in the lease end columns. */
    static final long NO_TIME = Long.MIN_VALUE;

    /**
     * A lease without {@code ended_at} whose expiry is this long past is taken as ended at its expiry
     * (as the pools report does) and no longer re-read: it bounds the re-read window should a sweep
     * have missed a row.
     */
    static final long SETTLED_AFTER_MILLIS = Duration.ofDays(1).toMillis();

    static final int FLAG_UNIQUE = 1;
    static final int FLAG_TARGET = 2;
    static final int FLAG_UNIQUE_TARGET = 4;
    static final int FLAG_ANSWERED = 8;
    /** A lead the marketer marked spam: kept in the lead log, left out of every report. */
    static final int FLAG_SPAM = 16;

    final String siteId;
    private final Dialect dialect;
    final Dictionary[] dicts = new Dictionary[Dimension.COUNT];
    private int directCode;

    // Visits, in the order read (which is started_at order but for commit lag).
    int visits;
    long[] vStart = new long[1024];
    long[] vSid = new long[1024];
    int[] vPrev = new int[1024];
    int[] vNext = new int[1024];
    int[] vLnd = new int[1024];
    int[] vFirst = new int[1024];
    int[][] vDim = new int[Dimension.COUNT][1024];
    LongIntMap lastVisitOfVisitor = new LongIntMap(1024);
    // Each visit's lease, for the pools report: its pool (code in poolIds; 0 = no lease: untracked or
    // no number), its number (code in numbers), and its end columns (NO_TIME = SQL NULL). A lease's
    // end columns change after the insert; see refreshLeaseEnds.
    final Dictionary poolIds = new Dictionary();
    final Dictionary numbers = new Dictionary();
    int[] vPool = new int[1024];
    int[] vNumber = new int[1024];
    long[] vEnded = new long[1024];
    long[] vExpires = new long[1024];
    /** Every visit before this index has a settled lease (ended, or none); later ones are re-read at each refresh. */
    int openFrom;
    private long visitWatermark = Long.MIN_VALUE;
    /** Server time at the start of the last refresh (Long.MAX_VALUE: unknown). */
    private long lastRefreshAt = Long.MAX_VALUE;
    /**
     * How long before {@link #lastRefreshAt} a visit that was not yet visible to that refresh can
     * be stamped: the next refresh re-reads visits from there. {@link #SLACK_MILLIS} unless the
     * caller knew better (the store's only writer knows what it has not committed yet).
     */
    private long visitLagAtLastRefresh = SLACK_MILLIS;
    /** Visit rows the refreshes have read, new or already held (the re-read window's cost; tests look at it). */
    long visitRowsRead;

    // Calls, one slot per call id.
    int calls;
    long[] cStart = new long[256];
    long[] cVisitor = new long[256];
    long[] cSid = new long[256];
    byte[] cFlags = new byte[256];
    int[][] cDim = new int[Dimension.COUNT][256];
    /** The caller as a person key: a hash of the valid E.164 number, 0 when not valid (or erased). */
    long[] cPhone = new long[256];
    final Map<String, Integer> callSlots = new HashMap<>();
    private long callWatermark = Long.MIN_VALUE;

    // Leads (forms, callback requests, ...), one slot per lead id; a merged duplicate is one lead.
    int leads;
    long[] lStart = new long[256];
    long[] lVisitor = new long[256];
    long[] lSid = new long[256];
    /** Person keys: hashes of the valid phone and e-mail (0 when none); a phone hashes as a caller does. */
    long[] lPhone = new long[256];
    long[] lEmail = new long[256];
    byte[] lFlags = new byte[256];
    int[][] lDim = new int[Dimension.COUNT][256];
    final Map<String, Integer> leadSlots = new HashMap<>();
    private long leadWatermark = Long.MIN_VALUE;

    /** Which calls and leads open a contact window, for the last (version, period) asked; see {@link #contacts}. */
    private ContactWindow.Firsts contactFirsts;
    private long contactVersion = -1;
    private int contactPeriodDays = -1;

    private long version;
    private boolean loaded;

    /** Nothing that started before this is held, everything from it on is (Long.MIN_VALUE: the whole history). */
    long heldFrom = Long.MIN_VALUE;
    /** Most visits the columns may hold: an append that finds them full calls {@link #whenFull} first. */
    int maxVisits = Integer.MAX_VALUE;
    /** Asked to make room (evict this site's oldest visits) when {@link #maxVisits} visits are held. */
    java.util.function.Consumer<SiteFacts> whenFull = f -> { };
    /** Most visits a first load reads: the newest ones, found with one index range read. */
    int coldLoadBudget = Integer.MAX_VALUE;

    SiteFacts(String siteId, Dialect dialect) {
        this.siteId = siteId;
        this.dialect = dialect;
        for (int d = 0; d < Dimension.COUNT; d++) {
            dicts[d] = new Dictionary();
        }
        directCode = dicts[Dimension.CHANNEL.ordinal()].code("direct");
    }

    long version() {
        return version;
    }

    /** After {@link FactsTrim} changed what is held: cached reports of the old facts must not be served. */
    void changed() {
        version++;
    }

    boolean loaded() {
        return loaded;
    }

    // ---- Snapshot (see ReportService: facts written to disk so a restart need not re-read the history) ----

    private static final int SNAPSHOT_MAGIC = 0x52504643; // "RPFC"
    /**
     * Bump when the fields written change, or when a migration changes rows a snapshot holds without
     * stamping them updated: an older snapshot is then ignored (the facts load from the store). 3:
     * V117 gave old static-number calls their channel.
     */
    private static final int SNAPSHOT_FORMAT = 3;

    /** The server time of the last refresh: the snapshot holds every row stamped up to the slack before it. */
    long lastRefreshAt() {
        return lastRefreshAt;
    }

    /** Visits started in {@code [from, to)}, counted to check a snapshot against the store. */
    int visitsBetween(long from, long to) {
        int n = 0;
        for (int i = 0; i < visits; i++) {
            if (vStart[i] >= from && vStart[i] < to) {
                n++;
            }
        }
        return n;
    }

    /** The start of the oldest visit held; Long.MAX_VALUE when none. */
    long oldestVisit() {
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < visits; i++) {
            oldest = Math.min(oldest, vStart[i]);
        }
        return oldest;
    }

    void writeTo(SnapshotIo.Out out) throws java.io.IOException {
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeInt(SNAPSHOT_FORMAT);
        out.writeInt(Dimension.COUNT);
        out.writeString(siteId);
        out.writeLong(heldFrom);
        for (Dictionary d : dicts) {
            writeDictionary(out, d);
        }
        writeDictionary(out, poolIds);
        writeDictionary(out, numbers);
        out.writeInt(visits);
        out.writeLongs(vStart, visits);
        out.writeLongs(vSid, visits);
        out.writeInts(vPrev, visits);
        out.writeInts(vNext, visits);
        out.writeInts(vLnd, visits);
        out.writeInts(vFirst, visits);
        for (int d = 0; d < Dimension.COUNT; d++) {
            out.writeInts(vDim[d], visits);
        }
        out.writeInts(vPool, visits);
        out.writeInts(vNumber, visits);
        out.writeLongs(vEnded, visits);
        out.writeLongs(vExpires, visits);
        lastVisitOfVisitor.writeTo(out);
        out.writeLong(visitWatermark);
        out.writeLong(lastRefreshAt);
        out.writeInt(openFrom);
        out.writeInt(calls);
        out.writeLongs(cStart, calls);
        out.writeLongs(cVisitor, calls);
        out.writeLongs(cSid, calls);
        out.writeBytes(cFlags, calls);
        for (int d = 0; d < Dimension.COUNT; d++) {
            out.writeInts(cDim[d], calls);
        }
        out.writeLongs(cPhone, calls);
        writeSlots(out, callSlots, calls);
        out.writeLong(callWatermark);
        out.writeInt(leads);
        out.writeLongs(lStart, leads);
        out.writeLongs(lVisitor, leads);
        out.writeLongs(lSid, leads);
        out.writeLongs(lPhone, leads);
        out.writeLongs(lEmail, leads);
        out.writeBytes(lFlags, leads);
        for (int d = 0; d < Dimension.COUNT; d++) {
            out.writeInts(lDim[d], leads);
        }
        writeSlots(out, leadSlots, leads);
        out.writeLong(leadWatermark);
    }

    /** Facts read back from {@link #writeTo}; null when the stream is of another site or format. */
    static SiteFacts readFrom(SnapshotIo.In in, String siteId, Dialect dialect) throws java.io.IOException {
        if (in.readInt() != SNAPSHOT_MAGIC || in.readInt() != SNAPSHOT_FORMAT || in.readInt() != Dimension.COUNT
                || !siteId.equals(in.readString())) {
            return null;
        }
        SiteFacts f = new SiteFacts(siteId, dialect);
        f.heldFrom = in.readLong();
        for (int d = 0; d < Dimension.COUNT; d++) {
            readDictionary(in, f.dicts[d]);
        }
        readDictionary(in, f.poolIds);
        readDictionary(in, f.numbers);
        f.directCode = f.dicts[Dimension.CHANNEL.ordinal()].code("direct");
        int v = in.readInt();
        int cap = Math.max(1024, v);
        f.visits = v;
        f.vStart = in.readLongs(v, cap);
        f.vSid = in.readLongs(v, cap);
        f.vPrev = in.readInts(v, cap);
        f.vNext = in.readInts(v, cap);
        f.vLnd = in.readInts(v, cap);
        f.vFirst = in.readInts(v, cap);
        for (int d = 0; d < Dimension.COUNT; d++) {
            f.vDim[d] = in.readInts(v, cap);
        }
        f.vPool = in.readInts(v, cap);
        f.vNumber = in.readInts(v, cap);
        f.vEnded = in.readLongs(v, cap);
        f.vExpires = in.readLongs(v, cap);
        f.lastVisitOfVisitor.readFrom(in);
        f.visitWatermark = in.readLong();
        f.lastRefreshAt = in.readLong();
        f.openFrom = in.readInt();
        int c = in.readInt();
        int ccap = Math.max(256, c);
        f.calls = c;
        f.cStart = in.readLongs(c, ccap);
        f.cVisitor = in.readLongs(c, ccap);
        f.cSid = in.readLongs(c, ccap);
        f.cFlags = in.readBytes(c, ccap);
        for (int d = 0; d < Dimension.COUNT; d++) {
            f.cDim[d] = in.readInts(c, ccap);
        }
        f.cPhone = in.readLongs(c, ccap);
        readSlots(in, f.callSlots, c);
        f.callWatermark = in.readLong();
        int l = in.readInt();
        int lcap = Math.max(256, l);
        f.leads = l;
        f.lStart = in.readLongs(l, lcap);
        f.lVisitor = in.readLongs(l, lcap);
        f.lSid = in.readLongs(l, lcap);
        f.lPhone = in.readLongs(l, lcap);
        f.lEmail = in.readLongs(l, lcap);
        f.lFlags = in.readBytes(l, lcap);
        for (int d = 0; d < Dimension.COUNT; d++) {
            f.lDim[d] = in.readInts(l, lcap);
        }
        readSlots(in, f.leadSlots, l);
        f.leadWatermark = in.readLong();
        f.loaded = true;
        f.version = 1;
        return f;
    }

    private static void writeDictionary(SnapshotIo.Out out, Dictionary d) throws java.io.IOException {
        out.writeInt(d.size());
        for (int code = 1; code < d.size(); code++) {
            out.writeString(d.value(code));
        }
    }

    private static void readDictionary(SnapshotIo.In in, Dictionary d) throws java.io.IOException {
        int size = in.readInt();
        for (int code = 1; code < size; code++) {
            if (d.code(in.readString()) != code) {
                throw new java.io.IOException("dictionary out of order");
            }
        }
    }

    private static void writeSlots(SnapshotIo.Out out, Map<String, Integer> slots, int count) throws java.io.IOException {
        String[] ids = new String[count];
        slots.forEach((id, slot) -> ids[slot] = id);
        for (String id : ids) {
            out.writeString(id);
        }
    }

    private static void readSlots(SnapshotIo.In in, Map<String, Integer> slots, int count) throws java.io.IOException {
        for (int i = 0; i < count; i++) {
            slots.put(in.readString(), i);
        }
    }


    /**
     * On H2 the incremental reads name their index: with every row of a site sharing its site_id,
     * H2 planned these range reads on other indexes and scanned whole tables on every refresh
     * (measured with loadtest/run.sh report over 1,000,000 visits: ~800 ms per report, cached or
     * not). PostgreSQL plans them right on its own.
     */
    private String hint(String index) {
        return dialect.indexHint(index);
    }

    /** Reads what changed since the last refresh; true when anything did. */
    boolean refresh(Connection c) throws SQLException {
        return refresh(c, Long.MAX_VALUE);
    }

    /**
     * As {@link #refresh(Connection)}, knowing the server's time: rows stamped more than the slack
     * before the previous refresh had been committed by then (a commit lags its stamp by less than
     * the slack) and were read, so the re-read window starts there rather than at the newest row. Without this, a burst of visits (100,000 in the 20 s
     * before the newest one) was re-read on every report until newer visits came.
     */
    boolean refresh(Connection c, long now) throws SQLException {
        return refresh(c, now, SLACK_MILLIS);
    }

    /**
     * As {@link #refresh(Connection, long)}, told that no visit stamped more than
     * {@code visitLag} ms before {@code now} can become visible after this refresh's read (the
     * commit lag now, capped at {@link #SLACK_MILLIS}). The next refresh then re-reads visits from
     * there instead of from the slack before: under a steady flow of visits on one node that is a
     * few seconds of rows instead of 25 s of them every 5 s, most of the refresh's work.
     */
    boolean refresh(Connection c, long now, long visitLag) throws SQLException {
        long before = version;
        long previous = lastRefreshAt;
        refreshVisits(c, previous);
        refreshCalls(c, previous);
        refreshLeads(c, previous);
        lastRefreshAt = now;
        visitLagAtLastRefresh = Math.clamp(visitLag, 0, SLACK_MILLIS);
        if (!loaded) {
            loaded = true;
            version++;
        }
        return version != before;
    }

    private void refreshVisits(Connection c, long previousRefresh) throws SQLException {
        if (visitWatermark == Long.MIN_VALUE) {
            heldFrom = Math.max(heldFrom, newestCut(c));
        }
        long since = visitWatermark == Long.MIN_VALUE ? heldFrom
                : previousRefresh == Long.MAX_VALUE ? visitWatermark - SLACK_MILLIS : previousRefresh - visitLagAtLastRefresh;
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id, visitor_id, started_at, source, medium, campaign, term, "
                + "content, channel, landing_page, device_type, browser, os, " + LEASE_COLUMNS + " FROM sessions"
                + hint("SESSIONS_SITE_STARTED") + " WHERE site_id = ? AND started_at >= ? "
                + "ORDER BY started_at")) {
            ps.setString(1, siteId);
            ps.setLong(2, since);
            ps.setFetchSize(5_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    visitRowsRead++;
                    long start = rs.getLong(3);
                    long sid = hash(rs.getString(1));
                    long visitor = hash(rs.getString(2));
                    int seen = start <= visitWatermark ? visitOf(visitor, sid) : -1;
                    if (seen >= 0) {
                        readLeaseEnd(seen, rs, 4 + Dimension.COUNT + 3);
                        continue;
                    }
                    makeRoom();
                    if (start < heldFrom) {
                        continue;
                    }
                    appendVisit(start, sid, visitor, rs);
                    visitWatermark = Math.max(visitWatermark, start);
                    version++;
                }
            }
        }
    }

    /**
     * Where a first load starts: just after the newest visit beyond {@link #coldLoadBudget} (so the
     * newest budget's worth are read), found by walking that many entries of the (site, start)
     * index from its newest end rather than loading everything and trimming. Long.MIN_VALUE when
     * the site has no more visits than the budget.
     */
    private long newestCut(Connection c) throws SQLException {
        if (coldLoadBudget == Integer.MAX_VALUE) {
            return Long.MIN_VALUE;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT started_at FROM sessions" + hint("SESSIONS_SITE_STARTED")
                + " WHERE site_id = ? AND started_at >= ? ORDER BY started_at DESC OFFSET ? ROWS FETCH NEXT 1 ROWS ONLY")) {
            ps.setString(1, siteId);
            ps.setLong(2, heldFrom);
            ps.setInt(3, coldLoadBudget);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) + 1 : Long.MIN_VALUE;
            }
        }
    }

    private void appendVisit(long start, long sid, long visitor, ResultSet rs) throws SQLException {
        int i = reserveVisit();
        vStart[i] = start;
        vSid[i] = sid;
        int lease = 4 + Dimension.COUNT;
        String poolId = rs.getString(lease);
        String number = rs.getString(lease + 1);
        boolean leased = rs.getBoolean(lease + 2) && poolId != null && number != null;
        vPool[i] = leased ? poolIds.code(poolId) : 0;
        vNumber[i] = leased ? numbers.code(number) : 0;
        readLeaseEnd(i, rs, lease + 3);
        for (int d = 0; d < Dimension.COUNT; d++) {
            String value = rs.getString(4 + d);
            vDim[d][i] = dicts[d].code(d == Dimension.LANDING_PAGE.ordinal() ? withoutQuery(value) : value);
        }
        link(i, start, visitor);
    }

    /**
     * Appends a visit from values rather than a row (tests build facts this way, without a store).
     * {@code dims} holds each dimension's text, indexed by {@link Dimension#ordinal()}.
     */
    void appendVisit(long start, String sessionId, String visitorId, String[] dims) {
        makeRoom();
        if (start < heldFrom) {
            return;
        }
        int i = reserveVisit();
        vStart[i] = start;
        vSid[i] = hash(sessionId);
        vPool[i] = 0;
        vNumber[i] = 0;
        vEnded[i] = NO_TIME;
        vExpires[i] = NO_TIME;
        for (int d = 0; d < Dimension.COUNT; d++) {
            vDim[d][i] = dicts[d].code(dims[d]);
        }
        link(i, start, hash(visitorId));
        visitWatermark = Math.max(visitWatermark, start);
        version++;
        loaded = true;
    }

    /** At {@link #maxVisits}, has the oldest visits evicted before another is appended (which may move {@link #heldFrom}). */
    private void makeRoom() {
        if (visits >= maxVisits) {
            whenFull.accept(this);
        }
    }

    /** The index the next visit goes to, the columns grown if full. */
    private int reserveVisit() {
        if (visits == vStart.length) {
            growVisits();
        }
        return visits;
    }

    /** Links visit {@code i} into its visitor's chain and works out its look-back credits. */
    private void link(int i, long start, long visitor) {
        int prev = lastVisitOfVisitor.get(visitor, -1);
        vPrev[i] = prev;
        vNext[i] = -1;
        if (prev >= 0) {
            vNext[prev] = i;
        }
        lastVisitOfVisitor.put(visitor, i);
        // Latest non-direct visit within the look-back (this one unless it is direct).
        int lnd = i;
        if (vDim[Dimension.CHANNEL.ordinal()][i] == directCode && prev >= 0) {
            int candidate = vLnd[prev];
            if (vDim[Dimension.CHANNEL.ordinal()][candidate] != directCode && start - vStart[candidate] <= LOOKBACK_MILLIS) {
                lnd = candidate;
            }
        }
        vLnd[i] = lnd;
        // First visit within the look-back.
        int first = i;
        if (prev >= 0) {
            first = vFirst[prev];
            while (first != i && start - vStart[first] > LOOKBACK_MILLIS) {
                first = vNext[first] < 0 ? i : vNext[first];
            }
        }
        vFirst[i] = first;
        visits++;
    }

    /** The lease columns after a visit's own: pool, number, tracked, then the end columns {@link #readLeaseEnd} reads. */
    private static final String LEASE_COLUMNS = "pool_id, number, tracked, ended_at, lease_expires_at";

    private void readLeaseEnd(int visit, ResultSet rs, int column) throws SQLException {
        long ended = rs.getLong(column);
        vEnded[visit] = rs.wasNull() ? NO_TIME : ended;
        long expires = rs.getLong(column + 1);
        vExpires[visit] = rs.wasNull() ? NO_TIME : expires;
    }

    /**
     * Re-reads the end columns of the leases that may still change: a lease gets {@code ended_at}
     * (and its last expiry) when it ends, an update the visit read does not see. Reads the visits
     * from the oldest unsettled lease on. Only the pools report reads lease ends, so it calls this
     * when it computes, rather than every refresh: on a node with many live leases (a site with
     * 100,000 visitors on its pages, or a load test) re-reading all of them every few seconds was
     * most of the refresh thread's work and a quarter of what the server allocated (JFR).
     * Lease ends do not change the version; the pools report's answers live seconds.
     */
    void refreshLeaseEnds(Connection c, long now) throws SQLException {
        while (openFrom < visits && settled(openFrom, now)) {
            openFrom++;
        }
        if (openFrom >= visits) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id, visitor_id, ended_at, lease_expires_at FROM sessions"
                + hint("SESSIONS_SITE_STARTED") + " WHERE site_id = ? AND started_at >= ? AND pool_id IS NOT NULL")) {
            ps.setString(1, siteId);
            ps.setLong(2, vStart[openFrom] - SLACK_MILLIS);
            ps.setFetchSize(5_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int v = visitOf(hash(rs.getString(2)), hash(rs.getString(1)));
                    if (v >= 0) {
                        readLeaseEnd(v, rs, 3);
                    }
                }
            }
        }
    }

    private boolean settled(int visit, long now) {
        return vPool[visit] == 0 || vEnded[visit] != NO_TIME
                || (vExpires[visit] != NO_TIME && now != Long.MAX_VALUE && vExpires[visit] < now - SETTLED_AFTER_MILLIS);
    }

    private static final String CALL_COLUMNS = "call_id, started_at, visitor_id, session_id, is_unique, target, unique_target, "
            + "answered, updated_at, source, medium, campaign, term, content, channel, landing_page, device_type, browser, os, "
            + "caller, caller_valid, erased_person_key";

    private void refreshCalls(Connection c, long previousRefresh) throws SQLException {
        if (callWatermark == Long.MIN_VALUE) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CALL_COLUMNS + " FROM calls WHERE site_id = ? AND started_at >= ?")) {
                ps.setString(1, siteId);
                ps.setLong(2, heldFrom);
                readCalls(ps);
            }
            return;
        }
        // Two steps rather than "caller IN (subquery)", which H2 evaluates as a scan of all the site's calls.
        java.util.Set<String> callers = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT caller FROM calls" + hint("CALLS_SITE_UPDATED") + " WHERE site_id = ? AND updated_at >= ?")) {
            ps.setString(1, siteId);
            ps.setLong(2, (previousRefresh == Long.MAX_VALUE ? callWatermark : previousRefresh) - SLACK_MILLIS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    callers.add(rs.getString(1));
                }
            }
        }
        if (callers.isEmpty()) {
            return;
        }
        // Erased calls share one caller text but no person: no call reclassifies them, so only the
        // changed ones are read (an erasure or the hourly purge touches some; the site may hold a
        // year of them).
        if (callers.remove(CallerNumber.ERASED)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CALL_COLUMNS + " FROM calls" + hint("CALLS_SITE_UPDATED")
                    + " WHERE site_id = ? AND updated_at >= ? AND caller = ?")) {
                ps.setString(1, siteId);
                ps.setLong(2, (previousRefresh == Long.MAX_VALUE ? callWatermark : previousRefresh) - SLACK_MILLIS);
                ps.setString(3, CallerNumber.ERASED);
                readCalls(ps);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CALL_COLUMNS + " FROM calls" + hint("CALLS_SITE_CALLER") + " WHERE site_id = ? AND caller = ?")) {
            for (String caller : callers) {
                ps.setString(1, siteId);
                ps.setString(2, caller);
                readCalls(ps);
            }
        }
    }

    private void readCalls(PreparedStatement ps) throws SQLException {
        ps.setFetchSize(5_000);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                upsertCall(rs);
            }
        }
    }

    private void upsertCall(ResultSet rs) throws SQLException {
        String callId = rs.getString(1);
        long start = rs.getLong(2);
        String visitorId = rs.getString(3);
        String sessionId = rs.getString(4);
        int flags = (rs.getBoolean(5) ? FLAG_UNIQUE : 0) | (rs.getBoolean(6) ? FLAG_TARGET : 0)
                | (rs.getBoolean(7) ? FLAG_UNIQUE_TARGET : 0) | (rs.getBoolean(8) ? FLAG_ANSWERED : 0);
        callWatermark = Math.max(callWatermark, rs.getLong(9));
        int[] dims = new int[Dimension.COUNT];
        for (int d = 0; d < Dimension.COUNT; d++) {
            String value = rs.getString(10 + d);
            dims[d] = dicts[d].code(d == Dimension.LANDING_PAGE.ordinal() ? withoutQuery(value) : value);
        }
        long visitor = visitorId == null ? 0 : hash(visitorId);
        long sid = sessionId == null ? 0 : hash(sessionId);
        String caller = rs.getString(10 + Dimension.COUNT);
        long phone = rs.getBoolean(11 + Dimension.COUNT) && caller != null ? hash("p:" + caller) : rs.getLong(12 + Dimension.COUNT);
        Integer existing = callSlots.get(callId);
        int j;
        if (existing == null && start < heldFrom) {
            return;
        }
        if (existing == null) {
            j = calls;
            if (j == cStart.length) {
                growCalls();
            }
            callSlots.put(callId, j);
            calls++;
        } else {
            j = existing;
            boolean same = cStart[j] == start && cVisitor[j] == visitor && cSid[j] == sid && cFlags[j] == flags && cPhone[j] == phone;
            for (int d = 0; same && d < Dimension.COUNT; d++) {
                same = cDim[d][j] == dims[d];
            }
            if (same) {
                return;
            }
        }
        cStart[j] = start;
        cVisitor[j] = visitor;
        cSid[j] = sid;
        cFlags[j] = (byte) flags;
        cPhone[j] = phone;
        for (int d = 0; d < Dimension.COUNT; d++) {
            cDim[d][j] = dims[d];
        }
        version++;
    }

    private static final String LEAD_COLUMNS = "lead_id, at, visitor_id, session_id, is_unique, status, updated_at, source, medium, "
            + "campaign, term, content, channel, landing_page, device_type, browser, os, phone, phone_valid, email, email_valid, "
            + "erased_phone_key, erased_email_key";

    /**
     * Leads whose row changed since the newest {@code updated_at} seen (minus the slack): a lead's
     * {@code updated_at} moves on every change (a merged duplicate, a status, erasure,
     * reclassification), so unlike calls no neighbours need re-reading.
     */
    private void refreshLeads(Connection c, long previousRefresh) throws SQLException {
        if (leadWatermark == Long.MIN_VALUE) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + LEAD_COLUMNS + " FROM leads WHERE site_id = ? AND at >= ?")) {
                ps.setString(1, siteId);
                ps.setLong(2, heldFrom);
                readLeads(ps);
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT " + LEAD_COLUMNS + " FROM leads" + hint("LEADS_SITE_UPDATED")
                + " WHERE site_id = ? AND updated_at >= ?")) {
            ps.setString(1, siteId);
            ps.setLong(2, (previousRefresh == Long.MAX_VALUE ? leadWatermark : previousRefresh) - SLACK_MILLIS);
            readLeads(ps);
        }
    }

    private void readLeads(PreparedStatement ps) throws SQLException {
        ps.setFetchSize(5_000);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                upsertLead(rs);
            }
        }
    }

    private void upsertLead(ResultSet rs) throws SQLException {
        String leadId = rs.getString(1);
        long start = rs.getLong(2);
        String visitorId = rs.getString(3);
        String sessionId = rs.getString(4);
        int flags = (rs.getBoolean(5) ? FLAG_UNIQUE : 0) | ("spam".equals(rs.getString(6)) ? FLAG_SPAM : 0);
        leadWatermark = Math.max(leadWatermark, rs.getLong(7));
        int[] dims = new int[Dimension.COUNT];
        for (int d = 0; d < Dimension.COUNT; d++) {
            String value = rs.getString(8 + d);
            dims[d] = dicts[d].code(d == Dimension.LANDING_PAGE.ordinal() ? withoutQuery(value) : value);
        }
        String phoneText = rs.getString(8 + Dimension.COUNT);
        // An erased phone or e-mail leaves its pseudonym (call.PersonPseudonym), NULL (read as 0) otherwise.
        long phone = rs.getBoolean(9 + Dimension.COUNT) && phoneText != null ? hash("p:" + phoneText) : rs.getLong(12 + Dimension.COUNT);
        String emailText = rs.getString(10 + Dimension.COUNT);
        long email = rs.getBoolean(11 + Dimension.COUNT) && emailText != null ? hash("e:" + emailText) : rs.getLong(13 + Dimension.COUNT);
        long visitor = visitorId == null ? 0 : hash(visitorId);
        long sid = sessionId == null ? 0 : hash(sessionId);
        Integer existing = leadSlots.get(leadId);
        int k;
        if (existing == null && start < heldFrom) {
            return;
        }
        if (existing == null) {
            k = leads;
            if (k == lStart.length) {
                growLeads();
            }
            leadSlots.put(leadId, k);
            leads++;
        } else {
            k = existing;
            boolean same = lStart[k] == start && lVisitor[k] == visitor && lSid[k] == sid && lFlags[k] == flags
                    && lPhone[k] == phone && lEmail[k] == email;
            for (int d = 0; same && d < Dimension.COUNT; d++) {
                same = lDim[d][k] == dims[d];
            }
            if (same) {
                return;
            }
        }
        lStart[k] = start;
        lVisitor[k] = visitor;
        lSid[k] = sid;
        lFlags[k] = (byte) flags;
        lPhone[k] = phone;
        lEmail[k] = email;
        for (int d = 0; d < Dimension.COUNT; d++) {
            lDim[d][k] = dims[d];
        }
        version++;
    }

    boolean isSpam(int lead) {
        return (lFlags[lead] & FLAG_SPAM) != 0;
    }

    /** The visit a lead was attributed to, or -1 (none, a contact without a visit, or a visit not read yet). */
    int visitOfLead(int k) {
        return lVisitor[k] == 0 || lSid[k] == 0 ? -1 : visitOf(lVisitor[k], lSid[k]);
    }

    /**
     * Which calls and leads are a person's first contact within {@code periodDays} (0 = ever):
     * computed over all the site's calls and leads (an earlier contact before a report's range still
     * counts), then kept until the facts change or another period is asked for.
     */
    ContactWindow.Firsts contacts(int periodDays) {
        if (contactFirsts == null || contactVersion != version || contactPeriodDays != periodDays) {
            contactFirsts = ContactWindow.firsts(this, periodDays);
            contactVersion = version;
            contactPeriodDays = periodDays;
        }
        return contactFirsts;
    }

    /** The visit a call was attributed to, or -1 (static, none, or a visit not read yet). */
    int visitOfCall(int j) {
        return cVisitor[j] == 0 || cSid[j] == 0 ? -1 : visitOf(cVisitor[j], cSid[j]);
    }

    private int visitOf(long visitor, long sid) {
        int v = lastVisitOfVisitor.get(visitor, -1);
        for (int steps = 0; v >= 0 && steps < CHAIN_MAX; steps++) {
            if (vSid[v] == sid) {
                return v;
            }
            v = vPrev[v];
        }
        return -1;
    }

    boolean isDirect(int visit) {
        return vDim[Dimension.CHANNEL.ordinal()][visit] == directCode;
    }

    /** The landing URL without its query string and fragment. */
    static String withoutQuery(String url) {
        if (url == null) {
            return null;
        }
        int cut = url.length();
        int q = url.indexOf('?');
        if (q >= 0) {
            cut = q;
        }
        int h = url.indexOf('#');
        if (h >= 0 && h < cut) {
            cut = h;
        }
        return url.substring(0, cut);
    }

    /** A 64-bit hash of an id (FNV-1a, then a SplitMix finaliser); collisions at a million ids ≈ 3e-8. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return LongIntMap.nonZero(h);
    }

    private void growVisits() {
        // Never past the bound: doubling 1.1 M slots to 2.2 M when the bound is 1.2 M would hold
        // ~100 MB of empty columns. (Past it — an eviction that could not free a slot — by eighths.)
        long cap = vStart.length < maxVisits ? maxVisits : vStart.length + vStart.length / 8L + 16;
        // By half rather than doubling: a site's columns are then at most a third empty (~35 bytes a held visit), not half.
        resizeVisits((int) Math.min(Math.min(vStart.length + vStart.length / 2L, cap), Integer.MAX_VALUE - 8));
    }

    /**
     * After a trim left the visit columns less than half full, gives the rest back (a quarter kept
     * as room to grow): otherwise a site once at the bound would keep columns for the whole bound
     * while the eviction rounds let another site grow to it too.
     */
    void fitVisitColumns() {
        if (visits < vStart.length / 2 && vStart.length > 1024) {
            resizeVisits(Math.max(1024, visits + visits / 4));
        }
    }

    private void resizeVisits(int n) {
        vStart = Arrays.copyOf(vStart, n);
        vSid = Arrays.copyOf(vSid, n);
        vPrev = Arrays.copyOf(vPrev, n);
        vNext = Arrays.copyOf(vNext, n);
        vLnd = Arrays.copyOf(vLnd, n);
        vFirst = Arrays.copyOf(vFirst, n);
        for (int d = 0; d < Dimension.COUNT; d++) {
            vDim[d] = Arrays.copyOf(vDim[d], n);
        }
        vPool = Arrays.copyOf(vPool, n);
        vNumber = Arrays.copyOf(vNumber, n);
        vEnded = Arrays.copyOf(vEnded, n);
        vExpires = Arrays.copyOf(vExpires, n);
    }

    private void growLeads() {
        int n = lStart.length * 2;
        lStart = Arrays.copyOf(lStart, n);
        lVisitor = Arrays.copyOf(lVisitor, n);
        lSid = Arrays.copyOf(lSid, n);
        lPhone = Arrays.copyOf(lPhone, n);
        lEmail = Arrays.copyOf(lEmail, n);
        lFlags = Arrays.copyOf(lFlags, n);
        for (int d = 0; d < Dimension.COUNT; d++) {
            lDim[d] = Arrays.copyOf(lDim[d], n);
        }
    }

    private void growCalls() {
        int n = cStart.length * 2;
        cStart = Arrays.copyOf(cStart, n);
        cPhone = Arrays.copyOf(cPhone, n);
        cVisitor = Arrays.copyOf(cVisitor, n);
        cSid = Arrays.copyOf(cSid, n);
        cFlags = Arrays.copyOf(cFlags, n);
        for (int d = 0; d < Dimension.COUNT; d++) {
            cDim[d] = Arrays.copyOf(cDim[d], n);
        }
    }
}
