package io.ringpool.export;

import io.ringpool.failure.DomainFailure;
import java.util.Arrays;
import java.util.Optional;

/**
 * The export formats of PRODUCT.md §4, by their URL name ({@code /exports/{name}.csv}).
 */
public enum ExportFormat {
    /** Google Ads click conversions: calls to our pool numbers carry the visit's GCLID. */
    GOOGLE_ADS_CLICKS("google-ads-clicks"),
    /** Google Ads call conversions (calls via Google forwarding numbers): the caller's E.164 number. */
    GOOGLE_ADS_CALLS("google-ads-calls"),
    /** Google enhanced conversions for leads: SHA-256 (lowercase hex) of the normalised e-mail and E.164 phone. */
    GOOGLE_ENHANCED("google-enhanced"),
    /** Yandex Metrica call upload (upload_calls). */
    YANDEX_CALLS("yandex-calls"),
    /** Yandex Metrica offline conversions. */
    YANDEX_OFFLINE("yandex-offline"),
    /**
     * Yandex Direct's conversion centre, fetched by HTTPS link: its "standard format" of orders
     * (semicolon-separated {@code id;create_date_time;client_ids;phones;order_status;revenue}).
     */
    YANDEX_CONVERSION_CENTER("yandex-conversion-center");

    private final String urlName;

    ExportFormat(String urlName) {
        this.urlName = urlName;
    }

    public String urlName() {
        return urlName;
    }

    /** The formats with a place for leads: a GCLID, hashed e-mail and phone, a Metrica ClientId or yclid. */
    boolean carriesLeads() {
        return this == GOOGLE_ADS_CLICKS || this == GOOGLE_ENHANCED || this == YANDEX_OFFLINE;
    }

    /**
     * 422 naming {@code leads} when {@code leads=true} is asked of a format that holds calls only:
     * the file would hold no lead, and a marketer who asked for them should hear so rather than find
     * out from the platform. Asked of a new export or feed only; a feed stored before this check
     * keeps answering with its calls.
     */
    public void refuseLeadsWithoutPlace(Boolean leads) {
        if (Boolean.TRUE.equals(leads) && !carriesLeads()) {
            throw DomainFailure.invalid("leads", "'leads' true needs a format with a place for leads ("
                    + String.join(", ", Arrays.stream(values()).filter(ExportFormat::carriesLeads).map(ExportFormat::urlName).toList())
                    + "); " + urlName + " holds calls only");
        }
    }

    /**
     * The formats each of whose rows is a conversion dated by the call's end (Google's click, call
     * and enhanced conversions; Metrica's offline conversions) hold a call only once it is final
     * (completed, missed, busy or failed). A call still ringing or talking has no end yet: written
     * then with its start, and again after the hang-up with its end, it reached a platform that
     * fetches a feed on its schedule as two conversions, since Google Ads drops a repeat only when
     * click, action and time agree and Metrica's offline conversions when ClientId, goal and time do
     * (audit AG3 #3). So it is written once, when final, as the uploads send it (on
     * {@code call.completed}). The Conversion Center's order too: Metrica's order format lets no
     * {@code create_date_time} change once sent, so an order fetched during its call kept its start
     * or had its end refused. {@code yandex-calls} describes the call itself and says it is under
     * way (empty talk cells), dated by its start, so it keeps it.
     */
    public boolean holdsFinalCallsOnly() {
        return this == GOOGLE_ADS_CLICKS || this == GOOGLE_ADS_CALLS || this == GOOGLE_ENHANCED || this == YANDEX_OFFLINE
                || this == YANDEX_CONVERSION_CENTER;
    }

    /** Google's formats: a {@code Parameters:TimeZone=} line and local times (or Data Manager's layout, for a feed). */
    public boolean google() {
        return this == GOOGLE_ADS_CLICKS || this == GOOGLE_ADS_CALLS || this == GOOGLE_ENHANCED;
    }

    public static Optional<ExportFormat> byUrlName(String name) {
        return Arrays.stream(values()).filter(f -> f.urlName.equals(name)).findFirst();
    }
}
