package io.ringpool.call;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.QueryParameters;
import io.ringpool.site.Site;

/**
 * The call log's query parameters that other reads of calls take under the same names, meanings
 * and 422s (the exports): {@code status}, {@code method} (how the call was attributed; {@code none}:
 * not attributed) and {@code caller}. Read here once, so a value the log takes is taken everywhere.
 */
public final class CallFilterParameters {

    private CallFilterParameters() {}

    /** {@code status}: {@code ringing}, {@code answered}, {@code completed}, {@code missed}, {@code busy}, {@code failed}; null when absent. */
    public static CallState.Status status(QueryParameters q) {
        return q.choice("status", CallState.Status.class, CallState.Status::wireName, null);
    }

    /** {@code method}: {@code active}, {@code cooling}, {@code ambiguous}, {@code repeat}, {@code static}, {@code none}; null when absent. */
    public static AttributionMethod method(QueryParameters q) {
        return q.choice("method", AttributionMethod.class, AttributionMethod::wireName, null);
    }

    /**
     * {@code caller} as stored callers are written ({@link CallerNumber}: E.164, a local format in
     * the site's country, digits without '+'), so any way a person writes the number finds the same
     * calls; null when absent, 422 naming {@code caller} for what is no phone number. Viewers may
     * search too: they type a number they already know, and the calls stay masked.
     */
    public static String caller(QueryParameters q, Site site) {
        String raw = q.text("caller", CallerNumber.MAX_RAW_CHARS);
        if (raw == null) {
            return null;
        }
        CallerNumber n = CallerNumber.of(raw, site.settings().country());
        if (!n.valid()) {
            throw DomainFailure.invalid("caller", "'caller' must be a phone number: E.164 (+79161234567) or as written"
                    + " locally in the site's country" + (site.settings().country() == null ? " (the site has none set)" : " ("
                    + site.settings().country() + ")"));
        }
        return n.value();
    }
}
