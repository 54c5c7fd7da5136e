package io.ringpool.lead;

import io.ringpool.visit.VisitSource;
import java.util.Objects;

/**
 * The attribution stored with a lead: how it was decided, the visit chosen and the source data the
 * lead inherits from it. Decided once, when the lead arrives, and kept.
 *
 * @param visit     the chosen visit's data; null for {@code none}, and for {@code contact} the earlier
 *                  call's or lead's source data (which may have no visit: a static number)
 * @param gclid     the visit's gclid, or the one the sender gave when no visit carried one
 * @param contactOf method {@code contact}: the call or lead whose attribution was inherited
 */
public record LeadAttribution(LeadMethod method, String sessionId, String visitorId, VisitSource visit, String gclid, String yclid,
        String contactOf) {

    public LeadAttribution {
        Objects.requireNonNull(method, "method");
    }

    public static LeadAttribution none(String gclid, String yclid) {
        return new LeadAttribution(LeadMethod.NONE, null, null, null, gclid, yclid, null);
    }
}
