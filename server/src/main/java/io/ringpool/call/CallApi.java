package io.ringpool.call;

import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.edit.TagChange;
import io.ringpool.failure.DomainFailure;
import io.ringpool.http.Json;
import io.ringpool.http.JsonBody;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The marketer's call endpoints (site key): the call log, tagging and valuing a call, and erasing
 * a caller. Another site's key gets 404, as if the call did not exist.
 *
 * <p>The log's time range: {@code from} inclusive, {@code to} exclusive, on the call's start; a
 * date is a day in the site's time zone and a {@code to} date includes that whole day (see
 * {@link QueryParameters#time}). Its cursor is the last call of the page.
 */
public final class CallApi {
    public static final Set<String> LOG_PARAMETERS = Set.of("from", "to", "source", "medium", "campaign", "channel", "tag", "method",
            "status", "unique", "target", "limit", "cursor", "reviewed", "recording", "q", "caller");
    private static final Set<String> PATCH_FIELDS = Set.of("tags", "addTags", "removeTags", "value", "currency", "reviewed", "note");

    private final CallService calls;
    private final AccessApi access;
    private final AuditLog audit;

    public CallApi(CallService calls, AccessApi access, AuditLog audit) {
        this.calls = calls;
        this.access = access;
        this.audit = audit;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/calls", access.site(Permission.CALL_LOG, this::log));
        router.get("/v1/sites/{siteId}/calls/{callId}", access.site(Permission.CALL_LOG, this::one));
        router.patch("/v1/sites/{siteId}/calls/{callId}", access.site(Permission.TAGS, this::patch));
        router.delete("/v1/sites/{siteId}/callers/{e164}", access.site(Permission.ERASE, this::erase));
    }

    private Response log(Request request, SiteGrant grant) {
        Site site = grant.site();
        CallService.Page page = calls.log(query(request, site, grant.masksCallers()));
        Map<String, List<ContactLeads.Lead>> linked = calls.leadsBefore(site.siteId(), page.calls());
        List<Map<String, Object>> out = page.calls().stream()
                .map(c -> view(c, grant, linked.getOrDefault(c.callId(), List.of()))).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("calls", out);
        body.put("nextCursor", page.next() == null ? null
                : QueryParameters.cursor(Long.toString(page.next().startedAt().toEpochMilli()), page.next().callId()));
        return Response.json(200, body);
    }

    /**
     * The log's query string as a {@link CallQuery}; 400 for an unknown parameter, 422 naming a bad value.
     * A viewer sees callers masked and no transcripts, so the search must not reveal them either:
     * trying the ~1,000 fillers of a masked caller's hidden digits would find the one that matches
     * (audit AB2 #1), so {@code caller} is refused (403), and {@code q} looks in notes only.
     */
    static CallQuery query(Request request, Site site, boolean masked) {
        return query(request, site, masked, LOG_PARAMETERS);
    }

    /**
     * {@link #query(Request, Site, boolean)} taking only {@code parameters}: the call log's CSV takes the
     * log's filters but neither {@code limit} nor {@code cursor}, since it holds every matching call.
     */
    public static CallQuery query(Request request, Site site, boolean masked, Set<String> parameters) {
        QueryParameters q = QueryParameters.of(request, parameters);
        if (masked && request.query().containsKey("caller")) {
            throw new DomainFailure(DomainFailure.Kind.FORBIDDEN, "forbidden",
                    "a viewer sees callers masked and may not search by caller: trying numbers would reveal the hidden digits", "caller");
        }
        QueryParameters.Range range = q.range(site.settings().timeZone());
        CallQuery.Position after = q.cursor("cursor", 2,
                parts -> new CallQuery.Position(Instant.ofEpochMilli(Long.parseLong(parts.get(0))), parts.get(1)));
        return new CallQuery(site.siteId(), range.from(), range.to(), q.text("source"), q.text("medium"), q.text("campaign"),
                q.text("channel"), q.text("tag"), CallFilterParameters.method(q), CallFilterParameters.status(q),
                q.bool("unique"), q.bool("target"), q.limit("limit", CallQuery.DEFAULT_LIMIT, CallQuery.MAX_LIMIT), after,
                q.bool("reviewed"), q.bool("recording"), q.text("q"), CallFilterParameters.caller(q, site), !masked);
    }

    private Response one(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        Site site = grant.site();
        StoredCall call = calls.call(site.siteId(), request.pathParam("callId")).orElseThrow(UnknownCall::new);
        return withETag(Response.json(200, withLeads(site, call, grant)), call);
    }

    /** The version of the call's editable parts, for a client that sends it back in {@code If-Match} (also the JSON's {@code etag}). */
    private static Response withETag(Response response, StoredCall call) {
        return response.withHeader("ETag", "\"" + CallChanges.version(call).etag() + "\"");
    }

    private Response patch(Request request, SiteGrant grant) {
        Site site = grant.site();
        // null removes a value or a note (openapi.json has both nullable): a value typed by mistake could otherwise never go.
        JsonBody body = JsonBody.of(request).rejectUnknown(PATCH_FIELDS).rejectNulls(Set.of("value", "note"));
        String note = body.isExplicitNull("note") ? "" : body.optionalString("note", CallChanges.MAX_NOTE_CHARS);
        CallChanges changes = new CallChanges(body.optionalStringList("tags", CallChanges.MAX_TAGS, CallChanges.MAX_TAG_CHARS),
                body.optionalNumber("value", 0, CallChanges.MAX_VALUE), body.optionalString("currency", 3),
                body.optionalBoolean("reviewed"), note, body.isExplicitNull("value"),
                new TagChange(body.optionalStringList("addTags", CallChanges.MAX_TAGS, CallChanges.MAX_TAG_CHARS),
                        body.optionalStringList("removeTags", CallChanges.MAX_TAGS, CallChanges.MAX_TAG_CHARS)));
        StoredCall call = calls.patch(site, request.pathParam("callId"), changes, request.header("if-match"));
        auditPatch(request, grant, body, call);
        return withETag(Response.json(200, withLeads(site, call, grant)), call);
    }

    /**
     * One audit entry per kind of change the request made, so an owner reads what changed: a note
     * or a review written as {@code call.update} "tags [Lead, Sale]" read as a tag change (audit AI4
     * F5). {@code call.update} keeps its name and detail for tags, value and currency; a note's entry
     * gives its length, not its text, which may hold a phone number the retention period removes.
     */
    private void auditPatch(Request request, SiteGrant grant, JsonBody body, StoredCall call) {
        boolean note = body.has("note") || body.isExplicitNull("note");
        boolean reviewed = body.has("reviewed");
        boolean update = body.has("tags") || body.has("addTags") || body.has("removeTags") || body.has("value") || body.isExplicitNull("value") || body.has("currency");
        if (update || (!note && !reviewed)) {
            // The value is what goes to the ad platforms: "value removed" is said, not left out (audit AJ3 J4).
            audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "call.update", call.callId(),
                    "tags " + call.tags() + (call.value() != null ? ", value " + call.value() + " " + call.currency()
                            : body.isExplicitNull("value") ? ", value removed" : ""));
        }
        if (note) {
            String text = call.review().note();
            audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "call.note", call.callId(),
                    text == null || text.isEmpty() ? "note removed" : "note written, " + text.length() + " characters");
        }
        if (reviewed) {
            audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "call.review", call.callId(),
                    call.review().reviewed() ? "marked reviewed" : "marked not reviewed");
        }
    }

    private Map<String, Object> withLeads(Site site, StoredCall call, SiteGrant grant) {
        return view(call, grant, calls.leadsBefore(site.siteId(), List.of(call)).getOrDefault(call.callId(), List.of()));
    }

    private Response erase(Request request, SiteGrant grant) {
        Site site = grant.site();
        CallerNumber erased = CallerNumber.of(request.pathParam("e164"), site.settings().country());
        calls.eraseCaller(site, request.pathParam("e164"));
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "caller.erase", erased.masked(), null);
        return Response.noContent();
    }

    /** The call as the API shows it to {@code grant} (masked for a viewer), without the leads before it: a CSV row's source. */
    public static Map<String, Object> view(StoredCall call, SiteGrant grant) {
        return view(call, grant, List.of());
    }

    /**
     * The call as the API shows it. Viewers see the caller masked ({@code +7916***4567}), as the
     * logs do, and nothing of what was said: the recording is the RECORDINGS permission's, which
     * viewers lack, and the provider's own link to it (often with the caller's number in it, audit
     * K #4) and the transcript would get round it.
     */
    private static Map<String, Object> view(StoredCall call, SiteGrant grant, List<ContactLeads.Lead> linkedLeads) {
        Map<String, Object> out = CallJson.of(call, linkedLeads);
        if (grant.masksCallers()) {
            if (call.caller() != null) {
                out.put("caller", CallerNumber.of(call.caller(), null).masked());
            }
            out.put("recordingUrl", null);
            out.put("recording", null);
            out.put("transcript", null);
            @SuppressWarnings("unchecked")
            Map<String, Object> attribution = (Map<String, Object>) out.get("attribution");
            CallJson.hideVisitIds(attribution);
        }
        return out;
    }
}
