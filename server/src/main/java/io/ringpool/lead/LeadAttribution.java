package io.ringpool.lead;

import io.ringpool.visit.VisitSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The attribution stored with a lead: how it was decided, the visit chosen and the source data the
 * lead inherits from it. Decided once, when the lead arrives, and kept.
 *
 * @param visit     the chosen visit's data; null for {@code none}, and for {@code contact} the earlier
 *                  call's or lead's source data (which may have no visit: a static number)
 * @param gclid     the visit's gclid, or the one the sender gave when no visit carried one
 * @param clientIds the analytics client ids (Metrica's {@code ym}, Google's {@code ga}) the lead is
 *                  known by: the visit's, and those the sender gave that the visit lacks. Kept without
 *                  a visit too: a CRM that stored the visitor's {@code _ym_uid} is Metrica's usual
 *                  offline-conversion setup, and needs no visit Ringpool saw
 * @param contactOf method {@code contact}: the call or lead whose attribution was inherited
 */
public record LeadAttribution(LeadMethod method, String sessionId, String visitorId, VisitSource visit, String gclid, String yclid,
        Map<String, String> clientIds, String contactOf) {

    public LeadAttribution {
        Objects.requireNonNull(method, "method");
        clientIds = clientIds == null ? Map.of() : Map.copyOf(clientIds);
    }

    public static LeadAttribution none(String gclid, String yclid, Map<String, String> clientIds) {
        return new LeadAttribution(LeadMethod.NONE, null, null, null, gclid, yclid, clientIds, null);
    }

    /** The visit's client ids, then the sender's for the analytics the visit did not record. */
    static Map<String, String> clientIds(VisitSource visit, Map<String, String> sent) {
        Map<String, String> ids = new LinkedHashMap<>(sent);
        if (visit != null) {
            ids.putAll(visit.clientIds());
        }
        return ids;
    }
}
