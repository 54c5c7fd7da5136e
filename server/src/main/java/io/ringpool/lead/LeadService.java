package io.ringpool.lead;

import io.ringpool.call.PersonPseudonym;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.call.ContactLeads;
import io.ringpool.call.StoredCall;
import io.ringpool.failure.DomainFailure;
import io.ringpool.security.ScriptLimits;
import io.ringpool.session.VisitErasure;
import io.ringpool.visit.UrlMinimiser;
import io.ringpool.site.Keys;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leads: records them from the site script and from servers, attributes them ({@link
 * LeadAttributor}), merges duplicates, keeps each person's leads classified (unique or not), and
 * serves the lead log, the marketer's changes and erasure of a person.
 *
 * <h2>Recording one lead, in one transaction</h2>
 * <ol>
 *   <li>A sender's {@code externalId} seen before answers the lead it made (a repeat), nothing else.</li>
 *   <li>The lead is attributed from its identifiers, in {@link LeadAttributor}'s order.</li>
 *   <li>A lead of the same person (a valid phone or e-mail in common; the same visitor when neither
 *       gave one) on the same form, within the site's duplicate window of the first, saying the
 *       same (no message on either, or the same one; a form known by its index only: on the same
 *       page path), is a duplicate: it is merged into that lead (one more submission) and counted once. Browsers
 *       resend beacons, people press "send" twice, a CRM retries with a new id.</li>
 *   <li>Otherwise it is stored, and every lead of the person is classified again: an out-of-order
 *       lead (a CRM sending yesterday's) may take "unique" from a later one.</li>
 * </ol>
 * Leads of one site are serialised in-process by a striped lock (leads are few; calls need more
 * care); across nodes the external id's primary key decides, and the loser retries and finds it.
 * Metrics and logs happen after the commit, never inside the write.
 */
public final class LeadService {
    private static final Logger LOG = LoggerFactory.getLogger(LeadService.class);

    /**
     * A form may be sent from a page whose session ended (the tab was in the background, heartbeats
     * throttled, and the lease lapsed while the visitor typed). Such a lead is still that visit's,
     * so it is taken for this long after the session's end; later, the answer is 410 as for the
     * other session routes and the script starts a new session.
     */
    static final Duration LATE_LEAD_GRACE = Duration.ofHours(24);

    /** A lead's time may be this far ahead of ours (the sender's clock) before it is refused. */
    static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(5);

    /** How many calls a lead shows as those it led to. */
    static final int LINKED_CALLS_MAX = 20;

    /** Page URLs are kept up to this long, as visits keep theirs (the column's size). */
    static final int MAX_STORED_URL = 2000;

    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{8,100}");

    /** Attempts at one lead when another node wins a unique-key race; the second sees the winner. */
    private static final int RACE_ATTEMPTS = 3;

    private static final int STRIPES = 16;

    public enum Outcome {
        /** A new lead. */
        CREATED,
        /** The sender's externalId was seen before: the lead it made, unchanged. */
        REPEATED,
        /** A duplicate within the window: merged into the earlier lead, counted once. */
        MERGED
    }

    public record Submitted(StoredLead lead, Outcome outcome) {}

    /** A page of the lead log; {@code calls} by lead id, as {@link #callsAfter(StoredLead)} gives them. */
    public record Page(List<StoredLead> leads, Map<String, List<LinkedCall>> calls, LeadQuery.Cursor next) {
        public List<LinkedCall> callsOf(StoredLead lead) {
            return calls.getOrDefault(lead.leadId(), List.of());
        }
    }

    /** What erasing a person touched. */
    public record Erased(int calls, int leads) {}

    /** A person's calls and leads, newest last. */
    public record Person(Contact contact, List<StoredLead> leads, List<LinkedCall> calls) {}

    /** A call a lead led to: the same phone, at or after the lead. */
    public record LinkedCall(String callId, Instant startedAt) {}

    /** Erases a caller's number from the site's calls (the call package owns calls); returns how many. */
    @FunctionalInterface
    public interface CallerErasure {
        /** @param pseudonym the erasure's, shared with the person's leads (the reports' contacts metric) */
        int erase(Site site, String e164, PersonPseudonym pseudonym);
    }

    private final SiteRegistry sites;
    private final Database db;
    private final GroupCommitWriter writer;
    private final Clock clock;
    private final ScriptLimits limits;
    private final CallerErasure callers;
    private final MeterRegistry registry;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final LeadOutbox outbox;

    /** With its own per-address limit only (loopback exempt), for tests of leads alone. */
    public LeadService(SiteRegistry sites, Database db, GroupCommitWriter writer, Clock clock, int perIpPerMinute,
            CallerErasure callers, MeterRegistry registry) {
        this(sites, db, writer, clock, perIpPerMinute, callers, registry, LeadOutbox.NONE);
    }

    /** @param outbox writes the events of each lead change inside the change's own transaction */
    public LeadService(SiteRegistry sites, Database db, GroupCommitWriter writer, Clock clock, int perIpPerMinute,
            CallerErasure callers, MeterRegistry registry, LeadOutbox outbox) {
        this(sites, db, writer, clock, new ScriptLimits(java.util.Map.of(ScriptLimits.Kind.LEAD, new ScriptLimits.Budget(0, perIpPerMinute)),
                true, clock), callers, registry, outbox);
    }

    /**
     * @param limits the site script's limits (shared with the session routes); leads take {@link ScriptLimits.Kind#LEAD},
     *               per visit and per address, and a refusal names the budget that ran out
     * @param outbox writes the events of each lead change inside the change's own transaction
     */
    public LeadService(SiteRegistry sites, Database db, GroupCommitWriter writer, Clock clock, ScriptLimits limits,
            CallerErasure callers, MeterRegistry registry, LeadOutbox outbox) {
        this.outbox = outbox;
        this.sites = sites;
        this.db = db;
        this.writer = writer;
        this.clock = clock;
        this.limits = limits;
        this.callers = callers;
        this.registry = registry;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /**
     * A form the site script saw sent. The session names the site and the visit: an id the store
     * never saw is 404 (as on the session routes), one that ended more than {@link #LATE_LEAD_GRACE}
     * ago 410; a page of another origin 403; more than the per-address cap 429.
     */
    public Submitted submitFromScript(ScriptLead s) {
        return submitFromScript(scriptSession(s.sessionId(), s.origin()), s);
    }

    /**
     * The live or lately ended session a script lead names, its site's domains having admitted the
     * page's origin: 404, 410 or 403 as {@link #submitFromScript(ScriptLead)} says. Looked up before
     * the lead's body is read, so a page of another origin learns nothing of how its body was
     * read (audit AB1 #2).
     */
    public ScriptSession scriptSession(String sessionId, String origin) {
        if (sessionId == null || !SESSION_ID.matcher(sessionId).matches()) {
            throw LeadFailures.sessionNotFound();
        }
        LeadStore.SessionRow session = db.read(c -> LeadStore.session(c, sessionId)).orElseThrow(LeadFailures::sessionNotFound);
        Instant now = clock.instant();
        if (session.endedAt() != null && now.toEpochMilli() - session.endedAt() > LATE_LEAD_GRACE.toMillis()) {
            throw LeadFailures.sessionEnded();
        }
        Site site = sites.byId(session.siteId()).orElseThrow(LeadFailures::sessionNotFound).site();
        if (origin != null && !SiteRegistry.originAllowed(site, origin)) {
            throw LeadFailures.originNotAllowed();
        }
        return new ScriptSession(session.sessionId(), site);
    }

    /** A session a script lead may be recorded on: see {@link #scriptSession}. */
    public record ScriptSession(String sessionId, Site site) {}

    /** {@link #submitFromScript(ScriptLead)} on a session already looked up with {@link #scriptSession}. */
    public Submitted submitFromScript(ScriptSession session, ScriptLead s) {
        Site site = session.site();
        Instant now = clock.instant();
        Optional<ScriptLimits.Refusal> refused = limits.acquire(ScriptLimits.Kind.LEAD, site.siteId(), session.sessionId(), s.clientIp());
        if (refused.isPresent()) {
            Counter.builder("ringpool.leads.refused").description("leads refused, by reason").tag("reason", "rate_limited")
                    .register(registry).increment();
            LOG.info("lead_rate_limited site={} by={}", site.siteId(), refused.get().scope().name().toLowerCase(java.util.Locale.ROOT));
            throw LeadFailures.flood(refused.get());
        }
        // The page's URL as stored visits keep it: only the query parameters Ringpool reads.
        String pageUrl = UrlMinimiser.minimise(s.pageUrl(), site.settings().queryParameters());
        NewLead lead = new NewLead(s.kind(), NewLead.Origin.SCRIPT, null, s.formId(), pageUrl, now, s.phone(), s.email(),
                s.name(), s.message(), new NewLead.Identifiers(session.sessionId(), null, null, null, null), null, null, List.of());
        return submit(site, lead);
    }

    /** Records a lead of {@code site}; committed when this returns. */
    public Submitted submit(Site site, NewLead lead) {
        Instant now = clock.instant();
        if (lead.at() != null && lead.at().isAfter(now.plus(FUTURE_TOLERANCE))) {
            throw LeadFailures.atInFuture();
        }
        NewLead clean = cleaned(lead, site, now);
        Contact contact = Contact.of(clean.phone(), clean.email(), site.settings().country());
        clean = withPhoneAsTyped(clean, contact, site);
        ReentrantLock lock = stripes[Math.floorMod(site.siteId().hashCode(), STRIPES)];
        Submitted done;
        lock.lock();
        try {
            done = commitWithRetry(site, clean, contact, now);
        } finally {
            lock.unlock();
        }
        Counter.builder("ringpool.leads.received").description("leads received, by origin, attribution method and outcome")
                .tag("origin", lead.origin().wireName()).tag("method", done.lead().attribution().method().wireName())
                .tag("outcome", done.outcome().name().toLowerCase(java.util.Locale.ROOT)).register(registry).increment();
        LOG.info("lead_received site={} lead={} origin={} kind={} method={} outcome={} contact={}", site.siteId(), done.lead().leadId(),
                lead.origin().wireName(), lead.kind().wireName(), done.lead().attribution().method().wireName(),
                done.outcome().name().toLowerCase(java.util.Locale.ROOT), contact.masked());
        return done;
    }

    private Submitted commitWithRetry(Site site, NewLead lead, Contact contact, Instant now) {
        for (int attempt = 1; ; attempt++) {
            try {
                AtomicReference<Submitted> result = new AtomicReference<>();
                writer.commit(c -> result.set(submitIn(c, site, lead, contact, now)));
                return result.get();
            } catch (ConstraintViolationException race) {
                if (attempt >= RACE_ATTEMPTS) {
                    throw race;
                }
            }
        }
    }

    private Submitted submitIn(Connection c, Site site, NewLead lead, Contact contact, Instant now) throws SQLException {
        String siteId = site.siteId();
        if (lead.externalId() != null) {
            Optional<String> known = LeadStore.leadIdByExternalId(c, siteId, lead.externalId());
            if (known.isPresent()) {
                return new Submitted(LeadStore.byId(c, siteId, known.get()).orElseThrow(), Outcome.REPEATED);
            }
        }
        // A lead older than the site keeps personal data would lose it at the next hourly purge:
        // a 201 would say it was kept. (Calls cannot be refused, a provider would retry; a sender can.)
        int retentionDays = site.settings().retentionDays();
        if (lead.at().isBefore(now.minus(Duration.ofDays(retentionDays)))) {
            throw LeadFailures.atPastRetention(retentionDays);
        }
        LeadAttribution attribution = LeadAttributor.attribute(c, site, lead.ids(), contact, lead.at());
        StoredLead candidate = new StoredLead(Keys.timeOrdered("lead_", now.toEpochMilli(), 12), siteId, lead.kind(), lead.origin(),
                lead.formId(), lead.pageUrl(), lead.at(), lead.at(), 1, contact, lead.name(), lead.message(), LeadStatus.NEW, contact.identifiesPerson(),
                attribution, lead.tags(), lead.value(), lead.currency());
        Duration window = site.settings().leadDuplicateWindow();
        if (!window.isZero()) {
            Optional<StoredLead> earlier = LeadStore.duplicateOf(c, siteId, candidate, attribution.visitorId(), window.toMillis());
            if (earlier.isPresent()) {
                LeadStore.mergeDuplicate(c, earlier.get(), candidate, now.toEpochMilli());
                if (lead.externalId() != null) {
                    LeadStore.insertExternalId(c, siteId, lead.externalId(), earlier.get().leadId());
                }
                StoredLead merged = LeadStore.byId(c, siteId, earlier.get().leadId()).orElseThrow();
                reclassify(c, site, merged.contact(), now.toEpochMilli());
                StoredLead stored = LeadStore.byId(c, siteId, merged.leadId()).orElseThrow();
                outbox.changed(c, earlier.get(), stored);
                return new Submitted(stored, Outcome.MERGED);
            }
        }
        LeadStore.insert(c, candidate, now.toEpochMilli());
        if (lead.externalId() != null) {
            LeadStore.insertExternalId(c, siteId, lead.externalId(), candidate.leadId());
        }
        reclassify(c, site, contact, now.toEpochMilli());
        StoredLead stored = LeadStore.byId(c, siteId, candidate.leadId()).orElseThrow();
        outbox.changed(c, null, stored);
        return new Submitted(stored, Outcome.CREATED);
    }

    /**
     * Classifies every lead of the person again: a lead is unique when no earlier lead shares its
     * valid phone or e-mail within the site's uniqueness period (0 days = ever). A lead marked spam
     * is neither unique nor an earlier lead of anyone. A lead that names no
     * person is never unique, as an anonymous call is not ({@link Uniqueness}).
     */
    private static void reclassify(Connection c, Site site, Contact contact, long now) throws SQLException {
        if (!contact.identifiesPerson()) {
            return;
        }
        List<StoredLead> leads = LeadStore.leadsOfPerson(c, site.siteId(), contact.personPhone(), contact.personEmail());
        // A spam lead is no earlier lead of the person (a bot typed their number): it names nobody here.
        List<Boolean> flags = Uniqueness.of(leads.stream().map(l -> l.status() == LeadStatus.SPAM ? Uniqueness.Occurrence.nobody(l.at())
                : new Uniqueness.Occurrence(l.at(), l.contact().personPhone(), l.contact().personEmail())).toList(),
                site.settings().uniquenessDays());
        for (int i = 0; i < leads.size(); i++) {
            if (leads.get(i).unique() != flags.get(i)) {
                LeadStore.updateUnique(c, site.siteId(), leads.get(i).leadId(), flags.get(i), now);
            }
        }
    }

    /** Leads written per transaction by {@link #reclassifyAll}. */
    static final int RECLASSIFY_BATCH = 1_000;

    /**
     * Decides every lead's {@code unique} again with the site's current {@code uniquenessDays},
     * after a change of it (calls.md "Classification"): one streaming read of the site's leads,
     * then the changed ones written a batch per transaction. An erased lead is decided by the keys
     * its phone and e-mail left, as the reports' {@code contacts} are, so erasing a person changes
     * no later reclassification of their leads. Returns the leads changed.
     */
    public int reclassifyAll(Site site) {
        String siteId = site.siteId();
        List<LeadStore.PersonOfLead> all = db.readStreaming(c -> LeadStore.personsOfSite(c, siteId));
        List<Boolean> flags = Uniqueness.of(all.stream().map(l -> l.spam() ? Uniqueness.Occurrence.nobody(l.at())
                : new Uniqueness.Occurrence(l.at(), l.phone(), l.email(), l.erasedPhoneKey(), l.erasedEmailKey())).toList(),
                site.settings().uniquenessDays());
        List<Integer> changed = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).unique() != flags.get(i)) {
                changed.add(i);
            }
        }
        for (int from = 0; from < changed.size(); from += RECLASSIFY_BATCH) {
            List<Integer> batch = changed.subList(from, Math.min(changed.size(), from + RECLASSIFY_BATCH));
            long now = clock.millis();
            db.inTransaction(c -> {
                for (int i : batch) {
                    LeadStore.updateUnique(c, siteId, all.get(i).leadId(), flags.get(i), now);
                }
                return null;
            });
        }
        if (!changed.isEmpty()) {
            LOG.info("leads_reclassified site={} leads={} changed={} uniquenessDays={}", siteId, all.size(), changed.size(),
                    site.settings().uniquenessDays());
        }
        return changed.size();
    }

    /**
     * Text as it will be stored: trimmed, without NUL and other control characters but line breaks
     * and tabs (PostgreSQL refuses NUL in text, and nothing typed into a form needs the others),
     * blank as null. Markup is kept as the text it is: the dashboard escapes what it shows.
     */
    /**
     * A phone read out of words ("+7 916 555 22 17 (WhatsApp)", "... или 8 916 555 22 16") is kept
     * as typed at the end of the message: the lead's phone is the number, and what the person added
     * to it (a messenger, a name, a second number) is still there for whoever calls back.
     */
    private static NewLead withPhoneAsTyped(NewLead l, Contact contact, Site site) {
        if (l.phone() == null || !contact.phoneValid() || io.ringpool.call.CallerNumber.of(l.phone(), site.settings().country()).valid()) {
            return l;
        }
        String note = "Phone as typed: " + l.phone();
        String message = l.message() == null ? note : l.message() + "\n\n" + note;
        if (message.length() > LeadApi.MAX_MESSAGE) {
            return l;
        }
        return new NewLead(l.kind(), l.origin(), l.externalId(), l.formId(), l.pageUrl(), l.at(), l.phone(), l.email(), l.name(), message,
                l.ids(), l.value(), l.currency(), l.tags());
    }

    private static NewLead cleaned(NewLead l, Site site, Instant now) {
        String currency = l.value() != null && l.currency() == null ? site.settings().currency() : l.currency();
        // Every origin's page URL as stored visits keep it (README "Personal data"): a server or a
        // callback widget passes location.href, and its query often carries the e-mail, phone and
        // name the lead's masking hides (audit AK1 F4). The script route's URL is minimised already.
        String url = text(UrlMinimiser.minimise(text(l.pageUrl()), site.settings().queryParameters()));
        if (url != null && url.length() > MAX_STORED_URL) {
            url = url.substring(0, MAX_STORED_URL);
        }
        return new NewLead(l.kind(), l.origin(), text(l.externalId()), text(l.formId()), url, l.at() == null ? now : l.at(), text(l.phone()),
                text(l.email()), text(l.name()), text(l.message()), l.ids(), l.value(), currency, l.tags());
    }

    static String text(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch >= 0x20 && ch != 0x7f || ch == '\n' || ch == '\t') {
                out.append(ch);
            } else if (ch == '\r') {
                continue; // CRLF from a textarea becomes LF
            }
        }
        String t = out.toString().strip();
        return t.isEmpty() ? null : t;
    }

    // ---- the lead log, changes, people ------------------------------------------------------------

    /**
     * A page of the lead log with the calls each lead led to, read in one transaction: a look-up
     * per lead in a transaction of its own was most of a 500-lead page's time on PostgreSQL (three
     * round trips each instead of one).
     */
    public Page log(LeadQuery query) {
        return db.read(c -> {
            List<StoredLead> rows = LeadStore.query(c, query);
            List<StoredLead> page = rows.size() <= query.limit() ? rows : List.copyOf(rows.subList(0, query.limit()));
            Map<String, List<LinkedCall>> calls = new HashMap<>();
            for (StoredLead lead : page) {
                calls.put(lead.leadId(), callsAfter(c, lead));
            }
            StoredLead last = page.isEmpty() ? null : page.get(page.size() - 1);
            LeadQuery.Cursor next = rows.size() <= query.limit() ? null : new LeadQuery.Cursor(last.at(), last.leadId());
            return new Page(page, calls, next);
        });
    }

    public Optional<StoredLead> lead(String siteId, String leadId) {
        return db.read(c -> LeadStore.byId(c, siteId, leadId));
    }

    /** The calls from the lead's phone at or after it: "a call from a number that sent a form earlier". */
    public List<LinkedCall> callsAfter(StoredLead lead) {
        return db.read(c -> callsAfter(c, lead));
    }

    /** {@link #callsAfter(StoredLead)} on the caller's connection (a webhook event inside the change's transaction). */
    static List<LinkedCall> callsAfter(Connection c, StoredLead lead) throws SQLException {
        String phone = lead.contact().personPhone();
        if (phone == null) {
            return List.of();
        }
        return LeadStore.callsFrom(c, lead.siteId(), phone, lead.at().toEpochMilli(), LINKED_CALLS_MAX).stream()
                .map(l -> new LinkedCall(l.callId(), l.startedAt())).toList();
    }

    /**
     * The other direction of {@link #callsAfter}, on the caller's connection: for each call with a
     * valid caller, the leads that phone sent at or before the call (one read per phone, over
     * leads_site_phone). The call log, a call's answer and its webhook events all take a call's
     * {@code leads} from here ({@link ContactLeads}).
     */
    public static Map<String, List<ContactLeads.Lead>> leadsBefore(Connection c, String siteId, Collection<StoredCall> calls)
            throws SQLException {
        Set<String> phones = new LinkedHashSet<>();
        for (StoredCall call : calls) {
            if (call.callerValid()) {
                phones.add(call.caller());
            }
        }
        if (phones.isEmpty()) {
            return Map.of();
        }
        Map<String, List<ContactLeads.Lead>> byPhone = LeadStore.leadsFrom(c, siteId, phones);
        Map<String, List<ContactLeads.Lead>> out = new HashMap<>();
        for (StoredCall call : calls) {
            List<ContactLeads.Lead> all = call.callerValid() ? byPhone.get(call.caller()) : null;
            if (all == null) {
                continue;
            }
            List<ContactLeads.Lead> earlier = all.stream().filter(l -> !l.at().isAfter(call.startedAt())).toList();
            if (!earlier.isEmpty()) {
                out.put(call.callId(), earlier.subList(Math.max(0, earlier.size() - ContactLeads.MAX_PER_CALL), earlier.size()));
            }
        }
        return out;
    }

    public StoredLead patch(Site site, String leadId, LeadPatch patch) {
        return patch(site, leadId, patch, null);
    }

    /**
     * As {@link #patch(Site, String, LeadPatch)}, refused (412, naming the part) when {@code ifMatch}
     * (an {@code etag} as read, or null for no check) no longer matches a part the patch writes.
     */
    public StoredLead patch(Site site, String leadId, LeadPatch patch, String ifMatch) {
        return db.inTransaction(c -> {
            // Locked until the commit: the version check and the tags added to the stored list must
            // see the row no other edit is writing (two tag clicks at once keep both tags).
            StoredLead lead = LeadStore.byIdForEdit(c, site.siteId(), leadId).orElseThrow(LeadFailures::leadNotFound);
            LeadPatch.version(lead).check(ifMatch, patch.writtenParts(), "lead");
            List<String> tags = patch.tags() != null ? List.copyOf(new LinkedHashSet<>(patch.tags()))
                    : patch.tagChange().isEmpty() ? null : patch.tagChange().applyTo(lead.tags(), LeadApi.MAX_TAGS, "lead");
            Double value = patch.clearsValue() ? null : patch.value() != null ? patch.value() : lead.value();
            String currency = patch.currency() != null ? patch.currency() : lead.currency();
            if (value != null && currency == null) {
                currency = site.settings().currency(); // a value without a currency is in the site's currency
            }
            LeadStore.updateMarketing(c, site.siteId(), leadId, tags != null ? tags : lead.tags(), value, currency,
                    patch.status() != null ? patch.status() : lead.status(), clock.millis());
            if (patch.status() != null && (patch.status() == LeadStatus.SPAM) != (lead.status() == LeadStatus.SPAM)) {
                // Marked spam or taken back: the person's leads after it lose or regain their "first".
                reclassify(c, site, lead.contact(), clock.millis());
            }
            StoredLead updated = LeadStore.byId(c, site.siteId(), leadId).orElseThrow();
            outbox.changed(c, lead, updated);
            return updated;
        });
    }

    /** The person a path segment names: an e-mail when it has an '@', else a phone number read with the site's country. */
    public Contact person(Site site, String phoneOrEmail) {
        String raw = phoneOrEmail == null ? "" : phoneOrEmail.strip();
        if (raw.contains("@")) {
            Contact k = Contact.of(null, raw, site.settings().country());
            if (!k.emailValid()) {
                throw LeadFailures.notAContact("contact");
            }
            return k;
        }
        Contact k = Contact.of(raw, null, site.settings().country());
        if (!k.phoneValid()) {
            throw LeadFailures.notAContact("contact");
        }
        return k;
    }

    /** The person's leads and calls: how they reached the site, in one list each. */
    public Person personOverview(Site site, Contact person) {
        return db.read(c -> {
            List<StoredLead> leads = LeadStore.leadsOfPerson(c, site.siteId(), person.personPhone(), person.personEmail());
            Set<String> phones = new LinkedHashSet<>();
            if (person.personPhone() != null) {
                phones.add(person.personPhone());
            }
            leads.forEach(l -> {
                if (l.contact().personPhone() != null) {
                    phones.add(l.contact().personPhone());
                }
            });
            List<LinkedCall> calls = new ArrayList<>();
            for (String phone : phones) {
                LeadStore.callsFrom(c, site.siteId(), phone, 0, 1000).forEach(l -> calls.add(new LinkedCall(l.callId(), l.startedAt())));
            }
            calls.sort(java.util.Comparator.comparing(LinkedCall::startedAt));
            return new Person(person, leads, calls);
        });
    }

    /**
     * Erases a person (PRODUCT.md §5): the person is the phone or e-mail given and every phone and
     * e-mail their leads carry, so asking by e-mail also removes the number they typed beside it.
     * Leads lose contact, name and message; calls lose the caller's number; both lose their copies
     * of the visit's landing page, referrer and client ids (and a lead its page's URL), as the
     * visits do. Counts and marketing fields stay.
     */
    public Erased erase(Site site, Contact person) {
        PersonPseudonym pseudonym = PersonPseudonym.fresh();
        long now = clock.millis();
        Set<String> phones = new LinkedHashSet<>();
        Set<String> emails = new LinkedHashSet<>();
        int leads = db.inTransaction(c -> {
            if (person.personPhone() != null) {
                phones.add(person.personPhone());
            }
            if (person.personEmail() != null) {
                emails.add(person.personEmail());
            }
            List<String> leadIds = new ArrayList<>();
            // The visits linked to the person's leads hold their landing pages and client ids: they go
            // too, as those linked to their calls do (CallService#eraseCaller).
            Set<String> visitors = new LinkedHashSet<>();
            Set<String> sessions = new LinkedHashSet<>();
            for (StoredLead l : LeadStore.leadsOfPerson(c, site.siteId(), person.personPhone(), person.personEmail())) {
                leadIds.add(l.leadId());
                if (l.contact().personPhone() != null) {
                    phones.add(l.contact().personPhone());
                }
                if (l.contact().personEmail() != null) {
                    emails.add(l.contact().personEmail());
                }
                if (l.attribution().visitorId() != null) {
                    visitors.add(l.attribution().visitorId());
                }
                if (l.attribution().sessionId() != null) {
                    sessions.add(l.attribution().sessionId());
                }
            }
            VisitErasure.eraseLinked(c, site.siteId(), visitors, sessions);
            List<String> values = new ArrayList<>(phones);
            values.addAll(emails);
            outbox.erased(c, site.siteId(), values, leadIds);
            return LeadStore.erase(c, site.siteId(), phones, emails, now, pseudonym);
        });
        int calls = 0;
        for (String phone : phones) {
            calls += callers.erase(site, phone, pseudonym);
        }
        LOG.info("person_erased site={} contact={} leads={} calls={}", site.siteId(), person.masked(), leads, calls);
        return new Erased(calls, leads);
    }

    /**
     * Erases one lead's personal data, as {@link #erase} does a person's, for a request that cannot
     * name the person by a valid phone or e-mail: a mistyped phone, a chat with only a name. The
     * person's other leads and calls are not touched (that is {@link #erase}).
     */
    public Erased eraseLead(Site site, String leadId) {
        return eraseOnly(site, c -> List.of(LeadStore.byIdForEdit(c, site.siteId(), leadId).orElseThrow(LeadFailures::leadNotFound)));
    }

    /**
     * Erases the leads whose phone is exactly {@code text} as typed and not a valid number (the lead
     * log shows it so), as the call log's odd callers are erased by their text. Refused, as any text
     * that is no contact is, when no lead has it.
     */
    public Erased erasePhoneText(Site site, String text) {
        return eraseOnly(site, c -> {
            List<StoredLead> leads = new ArrayList<>();
            for (String id : LeadStore.leadIdsWithPhoneText(c, site.siteId(), text)) {
                LeadStore.byIdForEdit(c, site.siteId(), id).ifPresent(leads::add);
            }
            if (leads.isEmpty()) {
                throw LeadFailures.notAContact("contact");
            }
            return leads;
        });
    }

    private Erased eraseOnly(Site site, Database.Work<List<StoredLead>> which) {
        PersonPseudonym pseudonym = PersonPseudonym.fresh();
        long now = clock.millis();
        int leads = db.inTransaction(c -> {
            List<StoredLead> chosen = which.run(c);
            Set<String> values = new LinkedHashSet<>();
            Set<String> visitors = new LinkedHashSet<>();
            Set<String> sessions = new LinkedHashSet<>();
            for (StoredLead l : chosen) {
                if (l.contact().phone() != null && !l.erased()) {
                    values.add(l.contact().phone());
                }
                if (l.contact().email() != null) {
                    values.add(l.contact().email());
                }
                if (l.attribution().visitorId() != null) {
                    visitors.add(l.attribution().visitorId());
                }
                if (l.attribution().sessionId() != null) {
                    sessions.add(l.attribution().sessionId());
                }
            }
            List<String> leadIds = chosen.stream().map(StoredLead::leadId).toList();
            VisitErasure.eraseLinked(c, site.siteId(), visitors, sessions);
            outbox.erased(c, site.siteId(), values, leadIds);
            return LeadStore.eraseLeads(c, site.siteId(), leadIds, now, pseudonym);
        });
        LOG.info("leads_erased site={} leads={}", site.siteId(), leads);
        return new Erased(0, leads);
    }

    /**
     * Leads' personal data is kept for the site's {@code retentionDays}, as callers' numbers are:
     * older leads keep kind, times, attribution and marketing fields, and lose contact, name,
     * message and their copies of the visit's landing page, referrer and client ids and the page's
     * URL, as older calls lose theirs. Run hourly with the callers' purge.
     */
    public int purgeExpired(Site site, PersonPseudonym pseudonym) {
        long now = clock.millis();
        long before = now - Duration.ofDays(site.settings().retentionDays()).toMillis();
        int purged = db.inTransaction(c -> {
            Map<String, String[]> aged = LeadStore.agedLeads(c, site.siteId(), before);
            if (!aged.isEmpty()) {
                Set<String> values = new LinkedHashSet<>();
                aged.values().forEach(contact -> {
                    for (String v : contact) {
                        if (v != null && !Contact.ERASED.equals(v)) {
                            values.add(v);
                        }
                    }
                });
                outbox.aged(c, site.siteId(), values, aged.keySet());
            }
            return LeadStore.purgeBefore(c, site.siteId(), before, now, pseudonym);
        });
        if (purged > 0) {
            LOG.info("leads_purged site={} leads={} retentionDays={}", site.siteId(), purged, site.settings().retentionDays());
        }
        return purged;
    }

    /** For DomainFailure's users: the failure a missing lead gives. */
    public static DomainFailure notFound() {
        return LeadFailures.leadNotFound();
    }
}
