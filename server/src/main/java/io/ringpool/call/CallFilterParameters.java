package io.ringpool.call;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.QueryParameters;
import io.ringpool.site.Site;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The call log's filters that other reads of calls take under the same names, meanings and 422s
 * (the exports' query strings, a feed's JSON body): {@code status}, {@code method} (how the call was
 * attributed; {@code none}: not attributed) and {@code caller}. Read here once, so a value the log
 * takes is taken everywhere, whether it comes as a query parameter or a JSON field.
 */
public final class CallFilterParameters {

    private CallFilterParameters() {}

    /** {@code status}: {@code ringing}, {@code answered}, {@code completed}, {@code missed}, {@code busy}, {@code failed}; null when absent. */
    public static CallState.Status status(QueryParameters q) {
        return q.choice("status", CallState.Status.class, CallState.Status::wireName, null);
    }

    /** {@link #status(QueryParameters)} for a value given as text (a JSON field); null or blank is "any". */
    public static CallState.Status status(String value) {
        return choice("status", value, CallState.Status.values(), CallState.Status::wireName);
    }

    /** {@code method}: {@code active}, {@code cooling}, {@code ambiguous}, {@code repeat}, {@code static}, {@code none}; null when absent. */
    public static AttributionMethod method(QueryParameters q) {
        return q.choice("method", AttributionMethod.class, AttributionMethod::wireName, null);
    }

    /** {@link #method(QueryParameters)} for a value given as text (a JSON field); null or blank is "any". */
    public static AttributionMethod method(String value) {
        return choice("method", value, AttributionMethod.values(), AttributionMethod::wireName);
    }

    /**
     * {@code caller} as stored callers are written ({@link CallerNumber}: E.164, a local format in
     * the site's country, digits without '+'), so any way a person writes the number finds the same
     * calls; null when absent, 422 naming {@code caller} for what is no phone number. Viewers may
     * search too: they type a number they already know, and the calls stay masked.
     */
    public static String caller(QueryParameters q, Site site) {
        return caller(q.text("caller", CallerNumber.MAX_RAW_CHARS), site);
    }

    /** {@link #caller(QueryParameters, Site)} for a value given as text (a JSON field); null or blank is "any". */
    public static String caller(String raw, Site site) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        CallerNumber n = CallerNumber.of(raw.strip(), site.settings().country());
        if (!n.valid()) {
            throw DomainFailure.invalid("caller", "'caller' must be a phone number: E.164 (+79161234567) or as written"
                    + " locally in the site's country" + (site.settings().country() == null ? " (the site has none set)" : " ("
                    + site.settings().country() + ")"));
        }
        return n.value();
    }

    /** The constant named {@code value} (any case), in the words {@link QueryParameters#choice} uses for a bad one. */
    private static <E extends Enum<E>> E choice(String field, String value, E[] constants, Function<E, String> wireName) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        return Arrays.stream(constants).filter(c -> wireName.apply(c).equalsIgnoreCase(v)).findFirst()
                .orElseThrow(() -> DomainFailure.invalid(field, "'" + field + "' must be one of "
                        + String.join(", ", Arrays.stream(constants).map(wireName).toList())));
    }
}
