package io.ringpool.lead;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which visit a lead came from. Unlike a call, a lead usually says so itself: the script
 * sends it from its session, and a CRM often knows the visitor or the ad click. So the decision is
 * an ordered list of identifiers, most direct first, and the first that finds a visit wins:
 *
 * <ol>
 *   <li>{@code session}: the session the script sent the lead from, or the one the sender named.</li>
 *   <li>{@code visitor}: the visitor's latest visit that started within {@link #HORIZON} before the
 *       lead; the visitor is named by its id or by an analytics client id (Metrica's ClientID
 *       {@code ym}, Google's {@code ga}) the script recorded with a visit.</li>
 *   <li>{@code click_id}: a visit within the horizon whose landing URL carried the gclid or yclid
 *       the sender gave.</li>
 *   <li>{@code contact}: the same person (a valid phone or e-mail) on an earlier call or lead within
 *       the horizon that was itself attributed: the lead inherits that source, and names it.</li>
 *   <li>{@code none}.</li>
 * </ol>
 * An identifier that finds nothing (a session of another site, a visitor not seen for 90 days) is
 * not an error: the next one is tried. A gclid, yclid or analytics client id the sender gave is kept
 * on the lead even when no visit carried it, so the lead still reaches Google Ads, Metrica or GA4.
 */
final class LeadAttributor {

    /**
     * How far back a visit or an earlier contact may lie: the same 90 days the last-non-direct
     * model looks back (PRODUCT.md §2), and about Google Ads' longest click-conversion window.
     */
    static final Duration HORIZON = Duration.ofDays(90);

    private LeadAttributor() {}

    static LeadAttribution attribute(Connection c, String siteId, NewLead.Identifiers ids, Contact contact, Instant at)
            throws SQLException {
        long to = at.toEpochMilli();
        long from = at.minus(HORIZON).toEpochMilli();
        if (ids.sessionId() != null) {
            Optional<LeadStore.FoundVisit> v = LeadStore.visit(c, siteId, ids.sessionId());
            if (v.isPresent()) {
                return fromVisit(LeadMethod.SESSION, v.get(), ids);
            }
        }
        if (ids.visitorId() != null) {
            Optional<LeadStore.FoundVisit> v = LeadStore.latestVisitOfVisitor(c, siteId, ids.visitorId(), from, to);
            if (v.isPresent()) {
                return fromVisit(LeadMethod.VISITOR, v.get(), ids);
            }
        }
        for (Map.Entry<String, String> clientId : ids.clientIds().entrySet()) {
            Optional<LeadStore.FoundVisit> v = LeadStore.latestVisitWithId(c, siteId, false, clientId.getKey(), clientId.getValue(), from, to);
            if (v.isPresent()) {
                return fromVisit(LeadMethod.VISITOR, v.get(), ids);
            }
        }
        for (String[] click : new String[][] {{"gclid", ids.gclid()}, {"yclid", ids.yclid()}}) {
            if (click[1] != null) {
                Optional<LeadStore.FoundVisit> v = LeadStore.latestVisitWithId(c, siteId, true, click[0], click[1], from, to);
                if (v.isPresent()) {
                    return fromVisit(LeadMethod.CLICK_ID, v.get(), ids);
                }
            }
        }
        if (contact.identifiesPerson()) {
            Optional<LeadStore.EarlierContact> call = contact.personPhone() == null ? Optional.empty()
                    : LeadStore.earlierAttributedCall(c, siteId, contact.personPhone(), from, to);
            Optional<LeadStore.EarlierContact> lead = LeadStore.earlierAttributedLead(c, siteId, contact.personPhone(),
                    contact.personEmail(), from, to);
            Optional<LeadStore.EarlierContact> latest = call.isEmpty() ? lead
                    : lead.isEmpty() || call.get().at().isAfter(lead.get().at()) ? call : lead;
            if (latest.isPresent()) {
                LeadStore.EarlierContact e = latest.get();
                return new LeadAttribution(LeadMethod.CONTACT, e.sessionId(), e.visitorId(), e.visit(),
                        first(ids.gclid(), e.gclid()), first(ids.yclid(), e.yclid()),
                        LeadAttribution.clientIds(e.visit(), ids.clientIds()), e.id());
            }
        }
        return LeadAttribution.none(ids.gclid(), ids.yclid(), ids.clientIds());
    }

    private static LeadAttribution fromVisit(LeadMethod method, LeadStore.FoundVisit v, NewLead.Identifiers ids) {
        Map<String, String> clicks = v.visit().clickIds();
        return new LeadAttribution(method, v.sessionId(), v.visitorId(), v.visit(), first(clicks.get("gclid"), ids.gclid()),
                first(clicks.get("yclid"), ids.yclid()), LeadAttribution.clientIds(v.visit(), ids.clientIds()), null);
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }
}
