package io.ringpool.site;

import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.http.Json;
import io.ringpool.http.JsonBody;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Admin and marketer endpoints for sites: JSON in, typed commands to {@link SiteService}, JSON out. */
public final class SiteApi {
    /** The fields where null is a documented value ("removes"); null anywhere else is refused (JsonBody.rejectNulls). */
    private static final Set<String> NULL_REMOVES = Set.of("recordingNotice", "keywordRules", "providers");

    /** Every field a site body may carry, on creation and on change alike. */
    static final Set<String> FIELDS = Set.of("name",
            "leaseTtlSeconds", "heartbeatSeconds", "endGraceSeconds", "coolDownSeconds", "intentHoldSeconds",
            "exhaustionPolicy", "uniquenessDays", "targetCallSeconds", "retentionDays", "country", "twilioAuthToken",
            "domains", "defaultNumber", "forwardTo", "timeZone", "currency", "providers", "leadDuplicateMinutes", "storeTitles",
            "queryParameters");

    private final SiteService service;
    private final AccessApi access;
    private final AuditLog audit;
    private final List<SiteSection> sections;
    private final List<SiteFields> fields;
    private final Set<String> known;

    /**
     * @param sections parts of the settings owned by other capabilities (the telephony providers' settings)
     * @param fields   top-level settings owned by other capabilities (the recording settings)
     */
    public SiteApi(SiteService service, AccessApi access, AuditLog audit, List<SiteSection> sections, List<SiteFields> fields) {
        this.service = service;
        this.access = access;
        this.audit = audit;
        this.sections = List.copyOf(sections);
        this.fields = List.copyOf(fields);
        Set<String> all = new java.util.HashSet<>(FIELDS);
        this.fields.forEach(f -> all.addAll(f.fields()));
        this.known = Set.copyOf(all);
    }

    public void routes(Router router) {
        router.post("/v1/sites", this::create);
        router.get("/v1/sites/{siteId}", access.site(Permission.SITE_READ, this::get));
        router.patch("/v1/sites/{siteId}", access.site(Permission.SITE_SETTINGS, this::patch));
    }

    private Response create(Request request) {
        access.admin(request);
        return Response.created(createSite(request));
    }

    /**
     * Creates a site from a request body as {@code POST /v1/sites} takes it (settings, sections,
     * fields of other capabilities) and describes it with its secrets, which are shown only now.
     * The caller has checked who may.
     */
    public Map<String, Object> createSite(Request request) {
        return createSite(request, SiteService.Authority.ADMIN, Set.of());
    }

    /**
     * As {@link #createSite(Request)}, for {@code authority}: with anything but the admin key the
     * new site's country must be one of {@code knownCountries} and {@code forwardTo} in it (see
     * {@link SiteService#create(NewSite, SiteService.Authority, Set)}).
     */
    public Map<String, Object> createSite(Request request, SiteService.Authority authority, Set<String> knownCountries) {
        SiteChanges given = changes(JsonBody.of(request), known);
        validateFields(request.body());
        SiteService.CreatedSite created = service.create(new NewSite(given), authority, knownCountries);
        applySections(created.site().siteId(), request.body());
        Map<String, Object> out = describe(created.site());
        out.put("apiKey", created.apiKey());
        out.put("webhookSecret", created.webhookSecret());
        return out;
    }

    private Response get(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        return Response.ok(describe(grant.site()));
    }

    private Response patch(Request request, SiteGrant grant) {
        JsonBody body = JsonBody.of(request).rejectNulls(NULL_REMOVES);
        SiteChanges changes = changes(body, known);
        validateFields(request.body());
        boolean rotates = changesCredentials(body, request.body());
        if (rotates) {
            // A new token or secret, or one moved or removed, is key rotation: the keys permission (owners), not only the settings'.
            access.site(request, Permission.KEYS);
        }
        SiteService.Authority authority = grant.caller() instanceof io.ringpool.account.Caller.Operator
                ? SiteService.Authority.ADMIN : SiteService.Authority.SITE;
        Map<String, Object> before = describe(grant.site());
        Site updated = service.update(grant.siteId(), changes, authority);
        applySections(updated.siteId(), request.body());
        Map<String, Object> after = describe(updated);
        List<String> changed = known.stream().filter(body::has).filter(f -> changed(f, before, after, request.body())).sorted().toList();
        if (!changed.isEmpty()) {
            audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "site.settings", grant.siteId(),
                    "changed " + String.join(", ", changed));
        }
        if (rotates) {
            audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "key.rotate", grant.siteId(), "provider credentials changed by PATCH");
        }
        return Response.ok(describe(updated));
    }

    /**
     * Whether a field the PATCH gave changed the site, so that the audit log names only those (audit
     * AN4 F22: {@code {}} and a value equal to the current one were logged as changes). A field the
     * site's description leaves out is a secret and counts as changed, as does a section whose
     * credentials the PATCH changed (its description hides them).
     */
    private boolean changed(String field, Map<String, Object> before, Map<String, Object> after, byte[] rawBody) {
        if (!after.containsKey(field) || !java.util.Objects.equals(before.get(field), after.get(field))) {
            return true;
        }
        for (SiteSection section : sections) {
            if (section.field().equals(field) && section.changesCredentials(tree(rawBody).get(field))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the PATCH sets the Twilio token or changes a provider's credentials ({@link SiteSection#changesCredentials}). */
    private boolean changesCredentials(JsonBody body, byte[] rawBody) {
        if (body.has("twilioAuthToken")) {
            return true;
        }
        JsonNode node = tree(rawBody);
        for (SiteSection section : sections) {
            if (node.has(section.field()) && section.changesCredentials(node.get(section.field()))) {
                return true;
            }
        }
        return false;
    }

    /** Lets each owner of plain fields refuse a bad value before anything is written. */
    private void validateFields(byte[] body) {
        if (fields.isEmpty()) {
            return;
        }
        JsonNode node = tree(body);
        for (SiteFields owner : fields) {
            owner.validate(given(owner, node));
        }
    }

    private static Map<String, JsonNode> given(SiteFields owner, JsonNode node) {
        Map<String, JsonNode> given = new LinkedHashMap<>();
        for (String name : owner.fields()) {
            if (node.has(name)) {
                given.put(name, node.get(name));
            }
        }
        return given;
    }

    private static JsonNode tree(byte[] body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (java.io.IOException unreadable) {
            throw new IllegalStateException("a body JsonBody accepted is unreadable", unreadable);
        }
    }

    /** Hands each section its part of the body (already read as one JSON object by {@link JsonBody#of}). */
    private void applySections(String siteId, byte[] body) {
        if (sections.isEmpty() && fields.isEmpty()) {
            return;
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (java.io.IOException unreadable) {
            throw new IllegalStateException("a body JsonBody accepted is unreadable", unreadable);
        }
        for (SiteSection section : sections) {
            JsonNode part = node.get(section.field());
            if (part != null) {
                section.apply(siteId, part);
            }
        }
        for (SiteFields owner : fields) {
            Map<String, JsonNode> given = given(owner, node);
            if (!given.isEmpty()) {
                owner.apply(siteId, given);
            }
        }
    }

    /** The body as a command; the sizes here bound what is read, {@link SiteSettingsCodec} judges the values. */
    static SiteChanges changes(JsonBody body) {
        return changes(body, FIELDS);
    }

    static SiteChanges changes(JsonBody body, Set<String> known) {
        body.rejectUnknown(known);
        return new SiteChanges(
                body.optionalString("name", 200),
                seconds(body, "leaseTtlSeconds"),
                seconds(body, "heartbeatSeconds"),
                seconds(body, "endGraceSeconds"),
                seconds(body, "coolDownSeconds"),
                seconds(body, "intentHoldSeconds"),
                body.optionalString("exhaustionPolicy", 40),
                seconds(body, "uniquenessDays"),
                seconds(body, "targetCallSeconds"),
                seconds(body, "retentionDays"),
                body.optionalString("country", 10),
                body.optionalStringList("domains", 100, 253),
                body.optionalString("defaultNumber", 40),
                body.optionalString("forwardTo", 40),
                body.optionalString("timeZone", 60),
                body.optionalString("currency", 10),
                body.optionalString("twilioAuthToken", 200),
                seconds(body, "leadDuplicateMinutes"),
                body.optionalBoolean("storeTitles"),
                body.optionalStringList("queryParameters", 50, 64));
    }

    private static Integer seconds(JsonBody body, String field) {
        return body.optionalInt(field, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public Map<String, Object> describe(Site site) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("siteId", site.siteId());
        out.put("name", site.name());
        out.put("publicKey", site.publicKey());
        out.putAll(SiteSettingsCodec.toMap(site.settings()));
        out.put("twilioConfigured", site.twilioConfigured());
        out.put("createdAt", site.createdAt());
        for (SiteSection section : sections) {
            out.put(section.field(), section.describe(site.siteId()));
        }
        for (SiteFields owner : fields) {
            out.putAll(owner.describe(site.siteId()));
        }
        return out;
    }
}
