package io.ringpool.lead;

import io.ringpool.site.Site;
import io.ringpool.site.SiteSettings;
import io.ringpool.visit.TrafficSource;
import io.ringpool.visit.TrafficSourceParser;
import io.ringpool.visit.UrlMinimiser;
import io.ringpool.visit.VisitSource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
 *   <li>{@code landing}: no visit, but the sender gave the landing URL, its referrer or a click id:
 *       named from them as a visit with that landing would be ({@link #fromLanding}).</li>
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

    static LeadAttribution attribute(Connection c, Site site, NewLead.Identifiers ids, Contact contact, Instant at)
            throws SQLException {
        String siteId = site.siteId();
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
        return fromLanding(ids, site).orElseGet(() -> LeadAttribution.none(ids.gclid(), ids.yclid(), ids.clientIds()));
    }

    private static final TrafficSourceParser PARSER = new TrafficSourceParser();

    /**
     * A lead no visit was found for, named from what the sender captured of the visit (a server
     * that kept the landing URL and referrer in hidden fields because the script was blocked):
     * source, medium, channel and tags as a visit with that landing and referrer would get, the
     * click ids given read as if on that URL (a gclid alone is google / cpc, paid: reports.md "a
     * visit without utm_source is named by a click id's network"). Empty when none was given.
     */
    static Optional<LeadAttribution> fromLanding(NewLead.Identifiers ids, Site site) {
        if (ids.landingUrl() == null && ids.referrer() == null && ids.gclid() == null && ids.yclid() == null) {
            return Optional.empty();
        }
        SiteSettings settings = site.settings();
        TrafficSource t = PARSER.parse(withClickIds(ids.landingUrl(), ids.gclid(), ids.yclid()), ids.referrer(), settings.domains());
        String landing = ids.landingUrl() == null ? null : UrlMinimiser.minimise(ids.landingUrl(), settings.queryParameters());
        if (landing != null && landing.length() > LeadService.MAX_STORED_URL) {
            landing = landing.substring(0, LeadService.MAX_STORED_URL);
        }
        String referrer = UrlMinimiser.withoutQuery(t.referrer());
        if (referrer != null && referrer.length() > LeadService.MAX_STORED_URL) {
            referrer = referrer.substring(0, LeadService.MAX_STORED_URL);
        }
        VisitSource visit = new VisitSource(null, t.source(), t.medium(), t.campaign(), t.term(), t.content(), t.channel().wireName(),
                landing, referrer, t.clickIds(), ids.clientIds(), null, null, null);
        return Optional.of(new LeadAttribution(LeadMethod.LANDING, null, null, visit, first(ids.gclid(), t.clickIds().get("gclid")),
                first(ids.yclid(), t.clickIds().get("yclid")), ids.clientIds(), null));
    }

    /** The landing URL (a placeholder when none was given) with the click ids given as its parameters. */
    private static String withClickIds(String landingUrl, String gclid, String yclid) {
        String url = landingUrl == null ? "https://landing.invalid/" : landingUrl;
        int fragment = url.indexOf('#');
        StringBuilder out = new StringBuilder(fragment < 0 ? url : url.substring(0, fragment));
        for (String[] click : new String[][] {{"gclid", gclid}, {"yclid", yclid}}) {
            if (click[1] != null) {
                out.append(out.indexOf("?") < 0 ? '?' : '&').append(click[0]).append('=')
                        .append(URLEncoder.encode(click[1], StandardCharsets.UTF_8));
            }
        }
        return out.toString();
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
