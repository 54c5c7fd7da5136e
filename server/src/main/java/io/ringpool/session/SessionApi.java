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

    private CompletionStage<Response> start(Request request) {
        JsonBody body = JsonBody.cleaned(request);
        Map<String, String> clientIds = body.optionalIdMap("clientIds", 10, 200);
        return sessions.startAsync(new SessionService.StartRequest(
                body.requiredString("siteKey", 100),
                body.optionalString("visitorId", 64),
                body.optionalString("url", 4000),
                body.optionalString("referrer", 4000),
                body.optionalString("title", 1000),
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

    private CompletionStage<Response> pageview(Request request) {
        JsonBody body = JsonBody.cleaned(request);
        return sessions.pageviewAsync(new SessionService.PageView(request.pathParam("sessionId"), body.requiredString("url", 4000),
                body.optionalString("title", 1000), request.clientIp(), request.header("origin"))).thenApply(done -> Response.noContent());
    }

    private CompletionStage<Response> intent(Request request) {
        JsonBody body = JsonBody.cleaned(request);
        IntentKind kind = IntentKind.fromWire(body.requiredString("kind", 40));
        return sessions.intentAsync(new SessionService.Intent(request.pathParam("sessionId"), kind, request.clientIp(),
                request.header("origin")))
                .thenApply(done -> Response.noContent());
    }

    /** sendBeacon posts text/plain; the body carries nothing we need, so it is not parsed. */
    private CompletionStage<Response> end(Request request) {
        JsonBody.requireJsonMediaType(request);
        return sessions.endAsync(new SessionService.End(request.pathParam("sessionId"), request.header("origin")))
                .thenApply(done -> Response.noContent());
    }
}
