package io.ringpool.lead;

import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.edit.TagChange;
import io.ringpool.failure.DomainFailure;
import io.ringpool.http.JsonBody;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Currency;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The lead routes (API.md "Leads"): the site script's {@code POST /v1/sessions/{sessionId}/leads}
 * (public, the session is the credential) and the site key's lead endpoints: record, log, one lead,
 * change, and a person's contacts (look up, erase). This class owns the JSON and query parsing; the
 * domain sees {@link NewLead}, {@link ScriptLead}, {@link LeadQuery}, {@link LeadPatch}.
 */
public final class LeadApi {

    // Longest values accepted, in characters. Longer is a 422 naming the field, and nothing is stored.
    /** Phone as typed: "+7 (916) 123-45-67 доб. 123" is 27; more is not a phone number. */
    static final int MAX_PHONE = 64;
    /** RFC 5321's longest address. */
    static final int MAX_EMAIL = Contact.MAX_EMAIL_CHARS;
    static final int MAX_NAME = 200;
    /** A message box's text: a few paragraphs; the column holds this much. */
    static final int MAX_MESSAGE = 4000;
    static final int MAX_FORM_ID = 200;
    /** What the script sends at most (it cuts the page's URL to this); stored up to 2000 (the visits' limit). */
    static final int MAX_URL = 4000;
    static final int MAX_EXTERNAL_ID = 200;
    static final int MAX_CLICK_ID = 500;

    private static final Set<String> SCRIPT_FIELDS = Set.of("kind", "formId", "url", "fields");
    private static final Set<String> API_FIELDS = Set.of("externalId", "kind", "at", "phone", "email", "name", "message", "formId",
            "url", "landingUrl", "referrer", "sessionId", "visitorId", "clientIds", "gclid", "yclid", "value", "currency", "tags");
    private static final Set<String> PATCH_FIELDS = Set.of("tags", "addTags", "removeTags", "value", "currency", "status");
    /** Most tags on a lead, and longest tag (characters), as on a call. */
    static final int MAX_TAGS = 20;
    private static final int MAX_TAG_CHARS = 50;
    public static final Set<String> LOG_PARAMETERS = Set.of("from", "to", "source", "medium", "campaign", "channel", "kind", "status",
            "method", "tag", "limit", "cursor");
    private static final Pattern VISITOR_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern CLIENT_ID_NAME = Pattern.compile("[a-z0-9_]{1,20}");

    private final LeadService leads;
    private final AccessApi access;
    private final AuditLog audit;

    public LeadApi(LeadService leads, AccessApi access, AuditLog audit) {
        this.audit = audit;
        this.leads = leads;
        this.access = access;
    }

    public void routes(Router router) {
        router.post("/v1/sessions/{sessionId}/leads", this::fromScript);
        router.post("/v1/sites/{siteId}/leads", access.site(Permission.LEAD_INGEST, this::fromServer));
        router.get("/v1/sites/{siteId}/leads", access.site(Permission.LEAD_LOG, this::log));
        router.get("/v1/sites/{siteId}/leads/{leadId}", access.site(Permission.LEAD_LOG, this::one));
        router.patch("/v1/sites/{siteId}/leads/{leadId}", access.site(Permission.TAGS, this::patch));
        router.get("/v1/sites/{siteId}/contacts/{contact}", access.site(Permission.CONTACTS, this::person));
        router.delete("/v1/sites/{siteId}/contacts/{contact}", access.site(Permission.ERASE, this::erase));
        router.delete("/v1/sites/{siteId}/leads/{leadId}", access.site(Permission.ERASE, this::eraseLead));
    }

    /**
     * The script sends {@code text/plain} JSON (sendBeacon: no CORS preflight; JsonBody's one
     * media-type rule accepts it). Of {@code fields}
     * only phone, e-mail, name and message are read; anything else a page put there is ignored, so a
     * form of 200 fields costs nothing but its bytes (the script route's body limit bounds those).
     */
    private Response fromScript(Request request) {
        // The session's site admits the page's origin before the body is read: a page of another
        // origin gets its 403, never a 400 or 422 about its body that it could read (audit AB1 #2).
        LeadService.ScriptSession session = leads.scriptSession(request.pathParam("sessionId"), request.header("origin"));
        JsonBody body = JsonBody.cleaned(request).rejectUnknown(SCRIPT_FIELDS);
        LeadKind kind = kind(body.optionalString("kind", 20), LeadKind.FORM);
        String formId = body.optionalString("formId", MAX_FORM_ID);
        String url = io.ringpool.visit.ActiveUrls.inert(body.optionalString("url", MAX_URL));
        JsonBody fields = body.optionalObject("fields");
        if (fields == null) {
            throw new DomainFailure(DomainFailure.Kind.INVALID, "missing_field", "'fields' is required", "fields");
        }
        // What a page's form held is not always what the script took it for: a card number, an empty mask.
        String phone = FormPhone.keep(fields.optionalString("phone", MAX_PHONE));
        String email = fields.optionalString("email", MAX_EMAIL);
        String name = fields.optionalString("name", MAX_NAME);
        String message = fields.optionalString("message", MAX_MESSAGE);
        requireSomething("fields.phone", phone, email, name, message);
        LeadService.Submitted s = leads.submitFromScript(session, new ScriptLead(request.pathParam("sessionId"), kind, formId, url,
                phone, email, name, message, request.clientIp(), request.header("origin")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("leadId", s.lead().leadId());
        out.put("outcome", outcome(s.outcome()));
        return Response.json(s.outcome() == LeadService.Outcome.CREATED ? 201 : 200, out);
    }

    private Response fromServer(Request request, SiteGrant grant) {
        Site site = grant.site();
        JsonBody body = JsonBody.of(request).rejectUnknown(API_FIELDS);
        String externalId = body.optionalString("externalId", MAX_EXTERNAL_ID);
        LeadKind kind = kind(body.optionalString("kind", 20), LeadKind.OTHER);
        Instant at = instant(body.optionalString("at", 40));
        String phone = body.optionalString("phone", MAX_PHONE);
        if (phone != null && FormPhone.isCardNumber(phone)) {
            // The script's route drops such a value quietly (a page's field guessed wrong); a server sending
            // one has mapped the wrong field, and is told, since Ringpool never stores card numbers.
            throw DomainFailure.invalid("phone", "'phone' is a payment card number, not a phone: send the customer's phone");
        }
        String email = body.optionalString("email", MAX_EMAIL);
        String name = body.optionalString("name", MAX_NAME);
        String message = body.optionalString("message", MAX_MESSAGE);
        requireSomething("phone", phone, email, name, message);
        String visitorId = body.optionalString("visitorId", 64);
        if (visitorId != null && !VISITOR_ID.matcher(visitorId).matches()) {
            throw DomainFailure.invalid("visitorId", "'visitorId' must be 1 to 64 letters, digits, '.', ':', '_' or '-'");
        }
        Map<String, String> clientIds = body.optionalIdMap("clientIds", 10, 200);
        if (clientIds != null) {
            for (String key : clientIds.keySet()) {
                if (!CLIENT_ID_NAME.matcher(key).matches()) {
                    throw DomainFailure.invalid("clientIds." + key, "client id names are short lower-case words such as ym or ga");
                }
            }
        }
        // What a server captured of the visit when the script was blocked: read only when no visit is found.
        NewLead.Identifiers ids = new NewLead.Identifiers(body.optionalString("sessionId", 100), visitorId, clientIds,
                body.optionalString("gclid", MAX_CLICK_ID), body.optionalString("yclid", MAX_CLICK_ID),
                io.ringpool.visit.ActiveUrls.inert(LeadService.text(body.optionalString("landingUrl", MAX_URL))),
                io.ringpool.visit.ActiveUrls.inert(LeadService.text(body.optionalString("referrer", MAX_URL))));
        Double value = body.optionalNumber("value", 0, 1e12);
        String currency = currency(body.optionalString("currency", 3));
        // No addTags/removeTags here: API_FIELDS refuses them (a new lead has no stored tags to change).
        List<String> tags = body.optionalStringList("tags", MAX_TAGS, MAX_TAG_CHARS);
        LeadService.Submitted s = leads.submit(site, new NewLead(kind, NewLead.Origin.API, externalId, body.optionalString("formId",
                MAX_FORM_ID), io.ringpool.visit.ActiveUrls.inert(body.optionalString("url", MAX_URL)), at, phone, email, name, message, ids,
                value, currency, tags));
        Map<String, Object> out = LeadJson.of(s.lead(), List.of());
        out.put("outcome", outcome(s.outcome()));
        return Response.json(s.outcome() == LeadService.Outcome.CREATED ? 201 : 200, out);
    }

    private Response log(Request request, SiteGrant grant) {
        Site site = grant.site();
        LeadService.Page page = leads.log(query(request, site));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("leads", page.leads().stream().map(l -> masked(LeadJson.of(l, page.callsOf(l)), grant)).toList());
        out.put("nextCursor", page.next() == null ? null
                : QueryParameters.cursor(Long.toString(page.next().at().toEpochMilli()), page.next().leadId()));
        return Response.json(200, out);
    }

    private Response one(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        Site site = grant.site();
        StoredLead lead = leads.lead(site.siteId(), request.pathParam("leadId")).orElseThrow(LeadFailures::leadNotFound);
        return withETag(Response.json(200, masked(LeadJson.of(lead, leads.callsAfter(lead)), grant)), lead);
    }

    /**
     * Viewers see a lead's phone and e-mail masked, as they see callers, and neither the name nor
     * the message: a viewer may count and tell leads apart but not know who sent them, and a
     * message often repeats the phone, the e-mail and the name in full. Nor the visit's and
     * visitor's ids: a live session id would let them post leads as that visit.
     */
    private static Map<String, Object> masked(Map<String, Object> lead, SiteGrant grant) {
        return maskedFor(lead, grant);
    }

    /** The lead of {@code page} as the log shows it to {@code grant}: a CSV row's source, masked as the JSON is. */
    public static Map<String, Object> shown(LeadService.Page page, StoredLead lead, SiteGrant grant) {
        return maskedFor(LeadJson.of(lead, page.callsOf(lead)), grant);
    }

    private static Map<String, Object> maskedFor(Map<String, Object> lead, SiteGrant grant) {
        if (grant.masksCallers()) {
            lead.put("name", null);
            lead.put("message", null);
            if (lead.get("phone") instanceof String phone) {
                lead.put("phone", io.ringpool.call.CallerNumber.of(phone, null).masked());
            }
            if (lead.get("email") instanceof String email && email.indexOf('@') > 0) {
                lead.put("email", email.charAt(0) + "***" + email.substring(email.indexOf('@')));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> attribution = (Map<String, Object>) lead.get("attribution");
            io.ringpool.call.CallJson.hideVisitIds(attribution);
        }
        return lead;
    }

    private Response patch(Request request, SiteGrant grant) {
        Site site = grant.site();
        // "value": null removes the value (openapi.json has it nullable): one typed by mistake could otherwise never go.
        JsonBody body = JsonBody.of(request).rejectUnknown(PATCH_FIELDS).rejectNulls(Set.of("value"));
        List<String> tags = body.optionalStringList("tags", MAX_TAGS, MAX_TAG_CHARS);
        TagChange tagChange = new TagChange(body.optionalStringList("addTags", MAX_TAGS, MAX_TAG_CHARS),
                body.optionalStringList("removeTags", MAX_TAGS, MAX_TAG_CHARS));
        tagChange.rejectAlongside(tags);
        Double value = body.optionalNumber("value", 0, 1e12);
        String currency = currency(body.optionalString("currency", 3));
        String statusText = body.optionalString("status", 20);
        LeadStatus status = statusText == null ? null : LeadStatus.fromWire(statusText).orElseThrow(() -> DomainFailure.invalid("status",
                "'status' must be one of new, qualified, spam, won, lost"));
        StoredLead lead = leads.patch(site, request.pathParam("leadId"), new LeadPatch(tags, value, currency, status,
                body.isExplicitNull("value"), tagChange), request.header("if-match"));
        // What the request changed, and only that: a value change read "tags null, status null" (audit AJ3 J4).
        List<String> changed = new java.util.ArrayList<>();
        if (tags != null || !tagChange.isEmpty()) {
            changed.add("tags " + lead.tags());
        }
        if (value != null || currency != null) {
            changed.add("value " + (lead.value() == null ? "none" : lead.value() + " " + lead.currency()));
        } else if (body.isExplicitNull("value")) {
            changed.add("value removed");
        }
        if (status != null) {
            changed.add("status " + status.wireName());
        }
        audit.onSite(grant.caller(), site.siteId(), request.clientIp(), "lead.update", lead.leadId(),
                changed.isEmpty() ? "nothing changed" : String.join(", ", changed));
        return withETag(Response.json(200, LeadJson.of(lead, leads.callsAfter(lead))), lead);
    }

    /** The version of the lead's editable parts, for a client that sends it back in {@code If-Match} (also the JSON's {@code etag}). */
    private static Response withETag(Response response, StoredLead lead) {
        return response.withHeader("ETag", "\"" + LeadPatch.version(lead).etag() + "\"");
    }

    private Response person(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        Site site = grant.site();
        LeadService.Person p = leads.personOverview(site, leads.person(site, request.pathParam("contact")));
        Map<String, Object> out = new LinkedHashMap<>();
        // The key asked by, and for the other the one the person's latest lead carries: a null
        // e-mail beside a lead that has one read as "no e-mail known" (audit AN1 F4).
        out.put("phone", p.contact().personPhone() != null ? p.contact().personPhone()
                : latest(p.leads(), l -> l.contact().personPhone()));
        out.put("email", p.contact().personEmail() != null ? p.contact().personEmail()
                : latest(p.leads(), l -> l.contact().personEmail()));
        out.put("leads", p.leads().stream().map(l -> LeadJson.of(l, List.of())).toList());
        out.put("calls", p.calls().stream().map(LeadJson::call).toList());
        return Response.json(200, out);
    }

    /** The value the latest of {@code leads} (oldest first) has, or null when none has one. */
    private static String latest(List<StoredLead> leads, java.util.function.Function<StoredLead, String> value) {
        for (int i = leads.size() - 1; i >= 0; i--) {
            String v = value.apply(leads.get(i));
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private Response erase(Request request, SiteGrant grant) {
        Site site = grant.site();
        String contact = request.pathParam("contact");
        LeadService.Erased erased;
        try {
            erased = leads.erase(site, leads.person(site, contact));
        } catch (DomainFailure notAContact) {
            // A phone typed wrong is still personal data the lead log shows: erased by its text.
            if (contact == null || contact.contains("@")) {
                throw notAContact;
            }
            erased = leads.erasePhoneText(site, contact.strip());
        }
        return erased(request, grant, "contact.erase", null, erased);
    }

    private Response eraseLead(Request request, SiteGrant grant) {
        String leadId = request.pathParam("leadId");
        return erased(request, grant, "lead.erase", leadId, leads.eraseLead(grant.site(), leadId));
    }

    private Response erased(Request request, SiteGrant grant, String action, String target, LeadService.Erased erased) {
        audit.onSite(grant.caller(), grant.site().siteId(), request.clientIp(), action, target,
                erased.calls() + " calls, " + erased.leads() + " leads");
        return Response.ok(Map.of("calls", erased.calls(), "leads", erased.leads()));
    }

    // ---- parsing ----------------------------------------------------------------------------------

    /** The log's query string as a {@link LeadQuery}, read as the call log's is: 400 for an unknown parameter, 422 naming a bad value. */
    static LeadQuery query(Request request, Site site) {
        return query(request, site, LOG_PARAMETERS);
    }

    /** {@link #query(Request, Site)} taking only {@code parameters} (the lead log's CSV: no {@code limit}, no {@code cursor}). */
    public static LeadQuery query(Request request, Site site, Set<String> parameters) {
        QueryParameters q = QueryParameters.of(request, parameters);
        QueryParameters.Range range = q.range(site.settings().timeZone());
        Map<LeadQuery.Filter, String> equalities = new EnumMap<>(LeadQuery.Filter.class);
        put(equalities, LeadQuery.Filter.SOURCE, q.text("source"));
        put(equalities, LeadQuery.Filter.MEDIUM, q.text("medium"));
        put(equalities, LeadQuery.Filter.CAMPAIGN, q.text("campaign"));
        put(equalities, LeadQuery.Filter.CHANNEL, q.text("channel"));
        LeadKind kind = q.choice("kind", LeadKind.class, LeadKind::wireName, null);
        put(equalities, LeadQuery.Filter.KIND, kind == null ? null : kind.wireName());
        LeadStatus status = q.choice("status", LeadStatus.class, LeadStatus::wireName, null);
        put(equalities, LeadQuery.Filter.STATUS, status == null ? null : status.wireName());
        LeadMethod method = q.choice("method", LeadMethod.class, LeadMethod::wireName, null);
        put(equalities, LeadQuery.Filter.METHOD, method == null ? null : method.wireName());
        LeadQuery.Cursor after = q.cursor("cursor", 2,
                parts -> new LeadQuery.Cursor(Instant.ofEpochMilli(Long.parseLong(parts.get(0))), parts.get(1)));
        return new LeadQuery(site.siteId(), range.from(), range.to(), equalities, q.text("tag"),
                q.limit("limit", LeadQuery.DEFAULT_LIMIT, LeadQuery.MAX_LIMIT), after);
    }

    private static void put(Map<LeadQuery.Filter, String> equalities, LeadQuery.Filter filter, String value) {
        if (value != null) {
            equalities.put(filter, value);
        }
    }

    /** A lead's time: ISO-8601 with an offset; the sender knows its zone, so we do not guess it. */
    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            throw DomainFailure.invalid("at", "'at' must be an ISO-8601 time with an offset, such as 2026-11-26T03:15:00Z");
        }
    }

    private static LeadKind kind(String text, LeadKind fallback) {
        if (text == null) {
            return fallback;
        }
        return LeadKind.fromWire(text).orElseThrow(() -> DomainFailure.invalid("kind",
                "'kind' must be one of form, callback, chat, email, other"));
    }

    private static String currency(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Currency.getInstance(text.toUpperCase(Locale.ROOT)).getCurrencyCode();
        } catch (IllegalArgumentException e) {
            throw DomainFailure.invalid("currency", "'currency' must be an ISO 4217 code such as RUB, USD, EUR");
        }
    }

    /** A lead with none of the four says nothing a marketer could act on; it is refused, not stored. */
    private static void requireSomething(String field, String phone, String email, String name, String message) {
        if (blank(phone) && blank(email) && blank(name) && blank(message)) {
            throw new DomainFailure(DomainFailure.Kind.INVALID, "empty_lead", "a lead needs a phone, an e-mail, a name or a message",
                    field);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String outcome(LeadService.Outcome o) {
        return o.name().toLowerCase(Locale.ROOT);
    }
}
