package io.ringpool.upload;

import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Google Ads click conversions ({@code customers/{id}:uploadClickConversions}): a call to one of
 * our pool numbers converts the ad click of the visit that held the number. Each conversion: one
 * click id ({@code gclid}; for a click from iOS without one, {@code gbraid} or {@code wbraid}),
 * {@code conversionAction, conversionDateTime, conversionValue, currencyCode}.
 */
final class GoogleAdsClicksUpload extends GoogleAdsUpload {

    /** Leads with a click id go up as click conversions too, to their own action when one is named. */
    @Override
    public boolean takesLeads() {
        return true;
    }

    @Override
    public Set<String> optional() {
        Set<String> out = new TreeSet<>(super.optional());
        out.add("leadConversionAction");
        return Set.copyOf(out);
    }
    static final String TYPE = "google-ads-clicks";

    GoogleAdsClicksUpload(GoogleOAuth oauth) {
        super(oauth);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    String method() {
        return "uploadClickConversions";
    }

    @Override
    Map<String, Object> conversion(Destination d, CallConversion c, String action, ZoneId zone, String currency) {
        Map<String, Object> row = new LinkedHashMap<>();
        // Google takes exactly one click id per conversion (two are VALUE_MUST_BE_UNSET or
        // GBRAID_WBRAID_BOTH_SET): the gclid, else the iOS app click's gbraid, else the iOS web click's wbraid.
        if (c.gclid() != null) {
            row.put("gclid", c.gclid());
        } else if (c.gbraid() != null) {
            row.put("gbraid", c.gbraid());
        } else if (c.wbraid() != null) {
            row.put("wbraid", c.wbraid());
        } else {
            return null;
        }
        row.put("conversionAction", action);
        row.put("conversionDateTime", time(c.convertedAt(), zone));
        value(row, c, currency);
        return row;
    }
}
