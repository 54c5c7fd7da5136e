package io.ringpool.upload;

import io.ringpool.account.CreatedBy;
import io.ringpool.failure.DomainFailure;
import io.ringpool.outbound.AddressPolicy;
import io.ringpool.outbox.Outbox;
import io.ringpool.site.Keys;
import io.ringpool.store.SiteRowLock;
import io.ringpool.store.ChangeLog;
import io.ringpool.site.SecretCipher;
import io.ringpool.store.Database;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;

import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creating, listing and deleting a site's upload destinations, and their upload log. */
public final class DestinationService {
    private static final Logger LOG = LoggerFactory.getLogger(DestinationService.class);
    static final int MAX_PER_SITE = 20;
    /**
     * The settings that say where a destination's requests go, its stored credentials with them
     * (the OAuth token with every upload, the refresh token and client secret to {@code tokenUrl}).
     */
    static final List<String> ADDRESSES = List.of("baseUrl", "tokenUrl");

    /**
     * A request to create a destination: its type, the platform's settings and credentials by
     * name (see each platform class), an optional {@code baseUrl}, {@code filter} and {@code dryRun}.
     */
    public record NewDestination(String type, Map<String, String> fields, DestinationFilter filter, boolean dryRun, CreatedBy createdBy) {}

    /**
     * A change to a destination: settings and credentials by name (null removes an optional
     * setting), and the filter and dry-run mode when given (null: unchanged).
     */
    public record Change(Map<String, String> fields, DestinationFilter filter, Boolean dryRun) {}

    /** A destination with its upload counts, newest delivery, and what is wrong with its settings. */
    public record View(Destination destination, Outbox.Health health, List<DestinationProblem> problems) {}

    private final Database db;
    private final Outbox outbox;
    private final AddressPolicy policy;
    private final SecretCipher cipher;
    private final DestinationTarget target;
    private final Platforms platforms;
    private final Clock clock;

    public DestinationService(Database db, Outbox outbox, AddressPolicy policy, SecretCipher cipher, DestinationTarget target, Clock clock) {
        this.db = db;
        this.outbox = outbox;
        this.policy = policy;
        this.cipher = cipher;
        this.target = target;
        this.platforms = new Platforms(clock);
        this.clock = clock;
    }

    /** Whether {@code name} is a credential of some platform: text, which an id's JSON number never is (audit AB1 #4). */
    public boolean isCredential(String name) {
        return Platforms.TYPES.stream().map(platforms::of).flatMap(java.util.Optional::stream).anyMatch(p -> p.secrets().contains(name));
    }

    public View create(String siteId, NewDestination request) {
        Platform p = platforms.of(request.type()).orElseThrow(() -> DomainFailure.invalid("type",
                "'type' must be one of " + String.join(", ", Platforms.TYPES)));
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> secrets = new LinkedHashMap<>();
        for (String name : request.fields().keySet()) {
            if (!p.required().contains(name) && !p.optional().contains(name) && !p.secrets().contains(name) && !name.equals("baseUrl")) {
                throw DomainFailure.unknownField(name);
            }
        }
        for (String name : p.required()) {
            String v = request.fields().get(name);
            if (v == null || v.isBlank()) {
                throw new DomainFailure(DomainFailure.Kind.INVALID, "missing_field", "'" + name + "' is required for " + p.type(), name);
            }
        }
        for (String name : p.secrets()) {
            String v = request.fields().get(name);
            if (v == null || v.isBlank()) {
                throw new DomainFailure(DomainFailure.Kind.INVALID, "missing_field", "'" + name + "' is required for " + p.type(), name);
            }
            secrets.put(name, v.strip());
        }
        request.fields().forEach((name, value) -> {
            if (!p.secrets().contains(name) && value != null && !value.isBlank()) {
                settings.put(name, value.strip());
            }
        });
        validate(p, settings);
        DestinationFilter filter = request.filter() == null ? DestinationFilter.NONE : request.filter();
        if (filter.leads() != null && !p.takesLeads()) {
            throw DomainFailure.invalid("filter.leads", "'filter.leads' is for destinations that take leads; " + p.type() + " takes none");
        }
        Destination d = new Destination(Keys.id("dst_"), siteId, p.type(), settings, secrets, filter, request.dryRun(), clock.instant(),
                request.createdBy());
        db.inTransaction(c -> {
            SiteRowLock.hold(c, siteId); // creates of one site count and insert in turn, or both may pass the limit
            if (UploadStore.ofSite(c, siteId).size() >= MAX_PER_SITE) {
                throw DomainFailure.conflict("too_many_destinations", "a site may have at most " + MAX_PER_SITE + " destinations", null);
            }
            UploadStore.insertDestination(c, d, cipher.encrypt(UploadStore.write(secrets)));
            ChangeLog.record(c, ChangeLog.DESTINATION, siteId, d.destinationId(), clock.millis());
            return null;
        });
        LOG.info("destination_created site={} destination={} type={} dryRun={} filter={}", siteId, d.destinationId(), d.type(), d.dryRun(),
                d.filter().asMap());
        return new View(withoutSecrets(d), outbox.noDeliveries(), List.of());
    }

    /**
     * Settings that are names a platform matches exactly (a Metrica goal, a GA4 event): written
     * into an upload's rows, so one line of text each (audit AK2 F1: a line break in a name broke
     * every row that carried it).
     */
    public static final List<String> NAMES = List.of("eventName", "leadEventName", "target", "leadTarget", "newGoalName");

    private void validate(Platform p, Map<String, String> s) {
        for (String url : ADDRESSES) {
            if (s.containsKey(url)) {
                URI uri = policy.requireReachable(s.get(url), url);
                // The platform's path is put after baseUrl: after a query it became part of the query (audit
                // AN2 F8), as RINGPOOL_PUBLIC_URL refuses one for the same reason.
                if (uri.getRawQuery() != null) {
                    throw DomainFailure.invalid(url, "'" + url + "' must not have a query (?…): the platform's path is put after it");
                }
                s.put(url, uri.toString());
            }
        }
        if (s.containsKey("counterId") && !s.get("counterId").matches("[0-9]{1,12}")) {
            throw DomainFailure.invalid("counterId", "'counterId' is the Metrica tag's number, e.g. 12345678");
        }
        if (s.containsKey("idType") && !List.of("clientId", "yclid").contains(s.get("idType"))) {
            throw DomainFailure.invalid("idType", "'idType' must be clientId or yclid");
        }
        if (s.containsKey("measurementId") && !s.get("measurementId").matches("G-[A-Z0-9]{4,20}")) {
            throw DomainFailure.invalid("measurementId", "'measurementId' is the web stream's measurement id, e.g. G-ABC123XYZ");
        }
        for (String id : List.of("customerId", "loginCustomerId")) {
            if (s.containsKey(id)) {
                String digits = s.get(id).replace("-", "");
                if (!digits.matches("[0-9]{10}")) {
                    throw DomainFailure.invalid(id, "'" + id + "' is a 10-digit Google Ads customer id, e.g. 123-456-7890");
                }
                s.put(id, digits);
            }
        }
        for (String action : List.of("conversionAction", "leadConversionAction")) {
            if (s.containsKey(action) && !s.get(action).matches("[0-9]{1,20}|customers/[0-9]{10}/conversionActions/[0-9]{1,20}")) {
                throw DomainFailure.invalid(action, "'" + action + "' is the conversion action's id or resource name "
                        + "(customers/1234567890/conversionActions/987654321)");
            }
            // Uploads go to customers/{customerId}:upload…Conversions, and Google refuses every row
            // naming another account's action (audit N #7).
            if (s.containsKey(action) && s.get(action).startsWith("customers/")
                    && !s.get(action).startsWith("customers/" + s.get("customerId") + "/")) {
                throw DomainFailure.invalid(action, "'" + action + "' names customer " + s.get(action).split("/")[1]
                        + ", not this destination's customerId " + s.get("customerId") + ": give the action's id alone, or "
                        + "customers/" + s.get("customerId") + "/conversionActions/<id>");
            }
        }
        if (s.containsKey("apiVersion") && !s.get("apiVersion").matches("v[0-9]{2}")) {
            throw DomainFailure.invalid("apiVersion", "'apiVersion' looks like v26");
        }
        if (s.containsKey("collectPath") && !List.of("/mp/collect", "/debug/mp/collect").contains(s.get("collectPath"))) {
            throw DomainFailure.invalid("collectPath", "'collectPath' is /mp/collect or /debug/mp/collect");
        }
        for (DestinationProblem problem : p.problems(new Destination("", "", p.type(), s, Map.of(), null, false, clock.instant(), null))) {
            throw DomainFailure.invalid(problem.field(), problem.message());
        }
        for (String text : NAMES) {
            if (s.containsKey(text) && s.get(text).length() > 100) {
                throw DomainFailure.invalid(text, "'" + text + "' is longer than 100 characters");
            }
        }
    }

    public List<View> list(String siteId) {
        return db.read(c -> UploadStore.ofSite(c, siteId)).stream()
                .map(d -> new View(d, outbox.health(d.destinationId()), problems(d))).toList();
    }

    public View get(String siteId, String destinationId) {
        Destination d = find(siteId, destinationId);
        return new View(d, outbox.health(destinationId), problems(d));
    }

    /**
     * Changes a destination's settings, credentials, filter or dry-run mode; its type stays. The
     * result is checked as a new destination is, so a destination made before a rule existed (a
     * GA4 event name GA4 drops) is fixed here and sends again: the deliveries it gave up unsent
     * while broken are queued again in the same transaction, so the conversions reach the platform
     * without the marketer retrying each by hand. Deliveries that went out and failed stay as they
     * are (the platform may have counted one; a retry of those is the marketer's call).
     */
    public View update(String siteId, String destinationId, Change change) {
        int[] requeued = {0};
        Destination updated = db.inTransaction(c -> {
            SiteRowLock.hold(c, siteId); // two changes of one destination take turns: neither undoes the other's
            Destination d = UploadStore.destination(c, destinationId, cipher::decrypt).filter(x -> x.siteId().equals(siteId))
                    .orElseThrow(() -> DomainFailure.notFound("destination"));
            Platform p = platforms.of(d.type()).orElseThrow(() -> DomainFailure.notFound("destination"));
            Map<String, String> settings = new LinkedHashMap<>(d.settings());
            Map<String, String> secrets = new LinkedHashMap<>(d.secrets());
            for (Map.Entry<String, String> f : change.fields().entrySet()) {
                String name = f.getKey();
                boolean secret = p.secrets().contains(name);
                if (!secret && !p.required().contains(name) && !p.optional().contains(name) && !name.equals("baseUrl")) {
                    throw DomainFailure.unknownField(name);
                }
                String v = f.getValue() == null ? null : f.getValue().strip();
                if (v == null || v.isEmpty()) {
                    if (secret || p.required().contains(name)) {
                        throw new DomainFailure(DomainFailure.Kind.INVALID, "missing_field", "'" + name + "' is required for " + p.type(), name);
                    }
                    settings.remove(name);
                } else if (secret) {
                    secrets.put(name, v);
                } else {
                    settings.put(name, v);
                }
            }
            validate(p, settings);
            DestinationFilter filter = change.filter() != null ? change.filter() : d.filter();
            if (filter.leads() != null && !p.takesLeads()) {
                throw DomainFailure.invalid("filter.leads", "'filter.leads' is for destinations that take leads; " + p.type() + " takes none");
            }
            Destination next = new Destination(d.destinationId(), siteId, d.type(), settings, secrets, filter,
                    change.dryRun() != null ? change.dryRun() : d.dryRun(), d.createdAt(), d.createdBy());
            UploadStore.updateDestination(c, next, cipher.encrypt(UploadStore.write(secrets)));
            ChangeLog.record(c, ChangeLog.DESTINATION, siteId, destinationId, clock.millis());
            if (!p.problems(d).isEmpty() && p.problems(next).isEmpty()) {
                requeued[0] = outbox.retryFailed(c, destinationId, DestinationTarget.NOT_SENT);
            }
            return next;
        });
        target.forget(destinationId);
        LOG.info("destination_updated site={} destination={} fields={} dryRun={} filter={} requeued={}", siteId, destinationId,
                change.fields().keySet(), updated.dryRun(), updated.filter().asMap(), requeued[0]);
        outbox.wake();
        Destination shown = withoutSecrets(updated);
        return new View(shown, outbox.health(destinationId), problems(shown));
    }

    /** What is wrong with {@code d}'s settings by today's rules (empty when nothing is). */
    List<DestinationProblem> problems(Destination d) {
        return platforms.of(d.type()).map(p -> p.problems(d)).orElse(List.of());
    }

    public void delete(String siteId, String destinationId) {
        boolean deleted = db.inTransaction(c -> {
            boolean d = UploadStore.delete(c, siteId, destinationId, clock.millis());
            if (d) {
                Outbox.abandon(c, destinationId, "destination deleted");
                ChangeLog.record(c, ChangeLog.DESTINATION, siteId, destinationId, clock.millis());
            }
            return d;
        });
        if (!deleted) {
            throw DomainFailure.notFound("destination");
        }
        target.forget(destinationId);
        LOG.info("destination_deleted site={} destination={}", siteId, destinationId);
    }

    /** A page of the destination's upload log, newest first, from {@code before} (null: the newest). */
    UploadStore.UploadPage uploads(String siteId, String destinationId, UploadStore.Position before, int limit) {
        find(siteId, destinationId);
        return db.read(c -> UploadStore.uploads(c, destinationId, before, limit));
    }

    public Outbox.DeliveryPage deliveries(String siteId, String destinationId, Outbox.DeliveryQuery query) {
        find(siteId, destinationId);
        return outbox.deliveries(destinationId, query);
    }

    /** Whether this node sends nothing ({@code outbound.paused}): a retry queues, and another node or a later start sends. */
    public boolean outboundPaused() {
        return outbox.paused();
    }

    /** Sends a delivery again now with a fresh 24-hour window, and the other failed ones of its subject ({@link Outbox#retry}). */
    public Outbox.Retried retry(String siteId, String destinationId, String deliveryId) {
        find(siteId, destinationId);
        return db.inTransaction(c -> outbox.retry(c, destinationId, deliveryId)).orElseThrow(() -> DomainFailure.notFound("delivery"));
    }

    /**
     * Queues again every delivery of the destination in {@code state} ({@code failed}, or
     * {@code pending}) created at or after {@code since} (null: any), with a fresh 24-hour window.
     * Deliveries that went out and failed are among them: the platform may have counted one (GA4
     * does not de-duplicate), which is why this is asked for and not done by itself.
     */
    public int retryAll(String siteId, String destinationId, String state, java.time.Instant since) {
        find(siteId, destinationId);
        int queued = db.inTransaction(c -> outbox.retryAll(c, destinationId, state, since));
        LOG.info("destination_redelivery_all site={} destination={} state={} since={} queued={}", siteId, destinationId, state, since,
                queued);
        return queued;
    }

    private Destination find(String siteId, String destinationId) {
        return db.read(c -> UploadStore.destination(c, destinationId, s -> null))
                .filter(d -> d.siteId().equals(siteId)).map(DestinationService::withoutSecrets)
                .orElseThrow(() -> DomainFailure.notFound("destination"));
    }

    private static Destination withoutSecrets(Destination d) {
        return new Destination(d.destinationId(), d.siteId(), d.type(), d.settings(), Map.of(), d.filter(), d.dryRun(), d.createdAt(), d.createdBy());
    }
}
