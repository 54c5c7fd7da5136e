package io.ringpool.app;

import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.SiteAccess;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/test/clock {"advanceSeconds"}} (admin key): moves the test clock forward and
 * sweeps, so a load simulation can run days of traffic in minutes. Declared only when the operator
 * enables the test clock.
 */
final class TestClockApi {
    private final AdjustableClock clock;
    private final SiteAccess access;
    private final Runnable sweep;

    TestClockApi(AdjustableClock clock, SiteAccess access, Runnable sweep) {
        this.clock = clock;
        this.access = access;
        this.sweep = sweep;
    }

    void routes(Router router) {
        router.post("/v1/test/clock", this::advance);
    }

    private Response advance(Request request) {
        access.requireAdmin(request.bearerToken());
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("advanceSeconds"));
        Integer seconds = body.optionalInt("advanceSeconds", 0, 365L * 86_400);
        Instant now = clock.advance(Duration.ofSeconds(seconds == null ? 0 : seconds));
        sweep.run();
        return Response.ok(Map.of("now", now));
    }
}
