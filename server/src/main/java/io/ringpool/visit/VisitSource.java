package io.ringpool.visit;

import java.time.Instant;
import java.util.Map;

/**
 * What a call or a lead inherits from the visit that made it (a {@code sessions} row): its source
 * data, landing page, click and client ids, and device. Stored with the call or lead, so it
 * outlives the visit (retention, erasure of the visitor).
 *
 * @param startedAt null where the copy came from an earlier call or lead rather than the visit
 * @param clickIds  gclid, yclid, fbclid, msclkid, ... as found on the landing URL
 * @param clientIds analytics client ids the script sent ({@code ym}, {@code ga})
 */
public record VisitSource(
        Instant startedAt,
        String source,
        String medium,
        String campaign,
        String term,
        String content,
        String channel,
        String landingPage,
        String referrer,
        Map<String, String> clickIds,
        Map<String, String> clientIds,
        String deviceType,
        String browser,
        String os) {

    public VisitSource {
        clickIds = clickIds == null ? Map.of() : Map.copyOf(clickIds);
        clientIds = clientIds == null ? Map.of() : Map.copyOf(clientIds);
    }
}
