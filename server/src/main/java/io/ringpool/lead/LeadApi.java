package io.ringpool.lead;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import io.ringpool.site.SiteAccess;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
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
    /** As the session routes accept; stored up to 2000 (the visits' limit). */
    static final int MAX_URL = 4000;
    static final int MAX_EXTERNAL_ID = 200;
    static final int MAX_CLICK_ID = 500;

    private static final Set<String> SCRIPT_FIELDS = Set.of("kind", "formId", "url", "fields");
    private static final Set<String> API_FIELDS = Set.of("externalId", "kind", "at", "phone", "email", "name", "message", "formId",
            "url", "sessionId", "visitorId", "clientIds", "gclid", "yclid", "value", "currency", "tags");
    private static final Set<String> PATCH_FIELDS = Set.of("tags", "value", "currency", "status");
    private static final Set<String> LOG_PARAMETERS = Set.of("from", "to", "source", "medium", "campaign", "channel", "kind", "status",
            "method", "tag", "limit", "cursor");
    private static final Pattern VISITOR_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern CLIENT_ID_NAME = Pattern.compile("[a-z0-9_]{1,20}");

    private final LeadService leads;
    private final SiteAccess access;

    public LeadApi(LeadService leads, SiteAccess access) {
        this.leads = leads;
        this.access = access;
    }

    public void routes(Router router) {
        router.post("/v1/sessions/{sessionId}/leads", this::fromScript);
        router.post("/v1/sites/{siteId}/leads", this::fromServer);
        router.get("/v1/sites/{siteId}/leads", this::log);
        router.get("/v1/sites/{siteId}/leads/{leadId}", this::one);
        router.patch("/v1/sites/{siteId}/leads/{leadId}", this::patch);
        router.get("/v1/sites/{siteId}/contacts/{contact}", this::person);
        router.delete("/v1/sites/{siteId}/contacts/{contact}", this::erase);
    }

    /**
     * The script sends {@code text/plain} JSON (sendBeacon: no CORS preflight; JsonBody's one
     * media-type rule accepts it). Of {@code fields}
     * only phone, e-mail, name and message are read; anything else a page put there is ignored, so a
     * form of 200 fields costs nothing but its bytes (the script route's body limit bounds those).
     */
    private Response fromScript(Request request) {
        JsonBody body = JsonBody.of(request).rejectUnknown(SCRIPT_FIELDS);
        LeadKind kind = kind(body.optionalString("kind", 20), LeadKind.FORM);
        String formId = body.optionalString("formId", MAX_FORM_ID);
        String url = body.optionalString("url", MAX_URL);
        JsonBody fields = body.optionalObject("fields");
        if (fields == null) {
            throw new DomainFailure(DomainFailure.Kind.INVALID, "missing_field", "'fields' is required", "fields");
        }
        String phone = fields.optionalString("phone", MAX_PHONE);
        String email = fields.optionalString("email", MAX_EMAIL);
        String name = fields.optionalString("name", MAX_NAME);
        String message = fields.optionalString("message", MAX_MESSAGE);
        requireSomething("fields.phone", phone, email, name, message);
        LeadService.Submitted s = leads.submitFromScript(new ScriptLead(request.pathParam("sessionId"), kind, formId, url, phone, email,
                name, message, request.clientIp(), request.header("origin")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("leadId", s.lead().leadId());
        out.put("outcome", outcome(s.outcome()));
        return Response.json(s.outcome() == LeadService.Outcome.CREATED ? 201 : 200, out);
    }

    private Response fromServer(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        JsonBody body = JsonBody.of(request).rejectUnknown(API_FIELDS);
        String externalId = body.optionalString("externalId", MAX_EXTERNAL_ID);
        LeadKind kind = kind(body.optionalString("kind", 20), LeadKind.OTHER);
        Instant at = instant(body.optionalString("at", 40));
        String phone = body.optionalString("phone", MAX_PHONE);
        String email = body.optionalString("email", MAX_EMAIL);
        String name = body.optionalString("name", MAX_NAME);
        String message = body.optionalString("message", MAX_MESSAGE);
        requireSomething("phone", phone, email, name, message);
        String visitorId = body.optionalString("visitorId", 64);
        if (visitorId != null && !VISITOR_ID.matcher(visitorId).matches()) {
            throw DomainFailure.invalid("visitorId", "'visitorId' must be 1 to 64 letters, digits, '.', ':', '_' or '-'");
        }
        Map<String, String> clientIds = body.optionalStringMap("clientIds", 10, 200);
        if (clientIds != null) {
            for (String key : clientIds.keySet()) {
                if (!CLIENT_ID_NAME.matcher(key).matches()) {
                    throw DomainFailure.invalid("clientIds." + key, "client id names are short lower-case words such as ym or ga");
                }
            }
        }
        NewLead.Identifiers ids = new NewLead.Identifiers(body.optionalString("sessionId", 100), visitorId, clientIds,
                body.optionalString("gclid", MAX_CLICK_ID), body.optionalString("yclid", MAX_CLICK_ID));
        Double value = body.optionalNumber("value", 0, 1e12);
        String currency = currency(body.optionalString("currency", 3));
        List<String> tags = body.optionalStringList("tags", 20, 50);
        LeadService.Submitted s = leads.submit(site, new NewLead(kind, NewLead.Origin.API, externalId, body.optionalString("formId",
                MAX_FORM_ID), body.optionalString("url", MAX_URL), at, phone, email, name, message, ids,
                value, currency, tags));
        Map<String, Object> out = LeadJson.of(s.lead(), List.of());
        out.put("outcome", outcome(s.outcome()));
        return LeadJson.response(s.outcome() == LeadService.Outcome.CREATED ? 201 : 200, out);
    }

    private Response log(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        LeadService.Page page = leads.log(query(request, site));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("leads", page.leads().stream().map(l -> LeadJson.of(l, leads.callsAfter(l))).toList());
        out.put("nextCursor", page.nextCursor());
        return LeadJson.response(200, out);
    }

    private Response one(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        StoredLead lead = leads.lead(site.siteId(), request.pathParam("leadId")).orElseThrow(LeadFailures::leadNotFound);
        return LeadJson.response(200, LeadJson.of(lead, leads.callsAfter(lead)));
    }

    private Response patch(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        JsonBody body = JsonBody.of(request).rejectUnknown(PATCH_FIELDS);
        List<String> tags = body.optionalStringList("tags", 20, 50);
        Double value = body.optionalNumber("value", 0, 1e12);
        String currency = currency(body.optionalString("currency", 3));
        String statusText = body.optionalString("status", 20);
        LeadStatus status = statusText == null ? null : LeadStatus.fromWire(statusText).orElseThrow(() -> DomainFailure.invalid("status",
                "'status' must be one of new, qualified, spam, won, lost"));
        StoredLead lead = leads.patch(site, request.pathParam("leadId"), new LeadPatch(tags, value, currency, status));
        return LeadJson.response(200, LeadJson.of(lead, leads.callsAfter(lead)));
    }

    private Response person(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        LeadService.Person p = leads.personOverview(site, leads.person(site, request.pathParam("contact")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("phone", p.contact().personPhone());
        out.put("email", p.contact().personEmail());
        out.put("leads", p.leads().stream().map(l -> LeadJson.of(l, List.of())).toList());
        out.put("calls", p.calls().stream().map(LeadJson::call).toList());
        return LeadJson.response(200, out);
    }

    private Response erase(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        LeadService.Erased erased = leads.erase(site, leads.person(site, request.pathParam("contact")));
        return Response.ok(Map.of("calls", erased.calls(), "leads", erased.leads()));
    }

    // ---- parsing ----------------------------------------------------------------------------------

    private static LeadQuery query(Request request, Site site) {
        for (String name : request.query().keySet()) {
            if (!LOG_PARAMETERS.contains(name)) {
                throw new DomainFailure(DomainFailure.Kind.MALFORMED, "unknown_parameter", "unknown query parameter '" + name
                        + "'; known: " + String.join(", ", LOG_PARAMETERS.stream().sorted().toList()), name);
            }
        }
        ZoneId zone = site.settings().timeZone();
        Instant from = time(request.queryParam("from"), "from", zone, false);
        Instant to = time(request.queryParam("to"), "to", zone, true);
        if (from != null && to != null && !from.isBefore(to)) {
            throw DomainFailure.invalid("to", "'to' must be after 'from'");
        }
        Map<LeadQuery.Filter, String> equalities = new EnumMap<>(LeadQuery.Filter.class);
        for (LeadQuery.Filter f : LeadQuery.Filter.values()) {
            String v = text(request, f.wireName());
            if (v != null) {
                boolean known = switch (f) {
                    case KIND -> LeadKind.fromWire(v).isPresent();
                    case STATUS -> LeadStatus.fromWire(v).isPresent();
                    case METHOD -> LeadMethod.fromWire(v).isPresent();
                    default -> true;
                };
                if (!known) {
                    throw DomainFailure.invalid(f.wireName(), "'" + f.wireName() + "' has no value '" + v + "'");
                }
                equalities.put(f, v);
            }
        }
        int limit = LeadQuery.DEFAULT_LIMIT;
        String limitText = text(request, "limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > LeadQuery.MAX_LIMIT) {
                throw DomainFailure.invalid("limit", "'limit' must be a whole number from 1 to " + LeadQuery.MAX_LIMIT);
            }
        }
        String cursorText = text(request, "cursor");
        LeadQuery.Cursor cursor = cursorText == null ? null : LeadQuery.Cursor.decode(cursorText).orElseThrow(() ->
                DomainFailure.invalid("cursor", "'cursor' is not a cursor this server gave out; use nextCursor as it was returned"));
        return new LeadQuery(site.siteId(), from, to, equalities, text(request, "tag"), limit, cursor);
    }

    private static String text(Request request, String name) {
        String v = request.queryParam(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        if (v.length() > 500) {
            throw DomainFailure.invalid(name, "'" + name + "' is longer than 500 characters");
        }
        return v.trim();
    }

    /** A date (a day in the site's zone; as an upper bound the whole day) or a time; a time without offset is the site's. */
    private static Instant time(String text, String field, ZoneId zone, boolean endOfDay) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        try {
            if (t.length() == 10) {
                LocalDate day = LocalDate.parse(t);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay(zone).toInstant();
            }
            if (t.endsWith("Z") || t.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(t).toInstant();
            }
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw DomainFailure.invalid(field, "'" + field + "' must be a date (2026-11-26) or an ISO-8601 time (2026-11-26T03:15:00Z)");
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
