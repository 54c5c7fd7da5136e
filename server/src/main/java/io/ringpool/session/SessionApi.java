package io.ringpool.session;

import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The site script's endpoints: public, untrusted, high volume; small bodies, strict validation. */
public final class SessionApi {
    /**
     * A page's URL, referrer and title are read whole, however long: the script sends them as the
     * browser has them, and the body limit ({@code server.maxScriptBodyBytes}, 16 KB by default, 413
     * beyond) is their bound. A landing URL's tags and click ids may sit past any cut, and a title
     * over a length is no reason to lose the visit and its ad click (audit AG1 F2: a 1,154-character
     * title or a 4,115-character URL made the start 422, and the visit went untracked). What is kept
     * is cut: {@link StoredUrls} and {@link SessionCaps} ({@code limits.maxUrlChars},
     * {@code limits.maxTitleChars}). A value that is no string is still 422.
     */
    private static final int READ_WHOLE = Integer.MAX_VALUE;

    private final SessionService sessions;

    public SessionApi(SessionService sessions) {
        this.sessions = sessions;
    }

    public void routes(Router router) {
        // The most frequent requests a site makes: in-memory work on the event loop, then at most a
        // commit (NonBlockingEndpoint), so none of them waits for a worker thread.
        router.postNonBlocking("/v1/sessions", this::start);
        router.postNonBlocking("/v1/sessions/{sessionId}/heartbeat", this::heartbeat);
        router.postNonBlocking("/v1/sessions/{sessionId}/pageviews", this::pageview);
        router.postNonBlocking("/v1/sessions/{sessionId}/intent", this::intent);
        router.postNonBlocking("/v1/sessions/{sessionId}/end", this::end);
    }

    /**
     * The site key is read first, and its site's domains judge the page's origin before the other
     * fields are. A body that is no JSON object names no site: its 400 carries no
     * Access-Control-Allow-Origin, from any origin (CorsPolicy).
     */
    private CompletionStage<Response> start(Request request) {
        JsonBody body = JsonBody.cleaned(request);
        String siteKey = body.requiredString("siteKey", 100);
        sessions.requireOriginOfKey(siteKey, request.header("origin"));
        Map<String, String> clientIds = body.optionalIdMap("clientIds", 10, 200);
        return sessions.startAsync(new SessionService.StartRequest(
                siteKey,
                body.optionalString("visitorId", 64),
                body.optionalString("url", READ_WHOLE),
                body.optionalString("referrer", READ_WHOLE),
                body.optionalString("title", READ_WHOLE),
                clientIds == null ? Map.of() : clientIds,
                Boolean.TRUE.equals(body.optionalBoolean("webdriver")),
                request.header("user-agent"), request.clientIp(), request.header("origin"),
                !Boolean.FALSE.equals(body.optionalBoolean("landing")))).thenApply(SessionApi::started);
    }

    private static Response started(SessionService.Started started) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessionId", started.sessionId());
        out.put("visitorId", started.visitorId());
        out.put("tracked", started.tracked());
        out.put("number", started.number());
        out.put("defaultNumber", started.defaultNumber());
        out.put("expiresAt", started.expiresAt());
        out.put("heartbeatSeconds", started.heartbeatSeconds());
        out.put("reason", started.reason());
        return Response.json(started.tracked() ? 201 : 200, out);
    }

    private CompletionStage<Response> heartbeat(Request request) {
        return sessions.heartbeatAsync(new SessionService.Heartbeat(request.pathParam("sessionId"), request.clientIp(),
                request.header("origin"))).thenApply(SessionApi::renewed);
    }

    private static Response renewed(SessionService.Renewed renewed) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("expiresAt", renewed.expiresAt());
        out.put("number", renewed.number());
        out.put("tracked", renewed.tracked());
        return Response.ok(out);
    }

    /** The body is read only once the session's site has admitted the page's origin ({@link SessionService#fromAdmittedOrigin}). */
    private CompletionStage<Response> pageview(Request request) {
        String sessionId = request.pathParam("sessionId");
        String origin = request.header("origin");
        return sessions.fromAdmittedOrigin(sessionId, origin, () -> {
            JsonBody body = JsonBody.cleaned(request);
            return sessions.pageviewAsync(new SessionService.PageView(sessionId, body.requiredString("url", READ_WHOLE),
                    body.optionalString("title", READ_WHOLE), request.clientIp(), origin));
        }).thenApply(done -> Response.noContent());
    }

    private CompletionStage<Response> intent(Request request) {
        String sessionId = request.pathParam("sessionId");
        String origin = request.header("origin");
        return sessions.fromAdmittedOrigin(sessionId, origin, () -> {
            IntentKind kind = IntentKind.fromWire(JsonBody.cleaned(request).requiredString("kind", 40));
            return sessions.intentAsync(new SessionService.Intent(sessionId, kind, request.clientIp(), origin));
        }).thenApply(done -> Response.noContent());
    }

    /** sendBeacon posts text/plain; the body carries nothing we need, so it is not parsed. */
    private CompletionStage<Response> end(Request request) {
        JsonBody.requireJsonMediaType(request);
        return sessions.endAsync(new SessionService.End(request.pathParam("sessionId"), request.header("origin")))
                .thenApply(done -> Response.noContent());
    }
}
