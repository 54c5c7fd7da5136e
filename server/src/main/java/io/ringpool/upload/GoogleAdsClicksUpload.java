package io.ringpool.upload;

import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Google Ads click conversions ({@code customers/{id}:uploadClickConversions}): a call to one of
 * our pool numbers converts the ad click (GCLID) of the visit that held the number. Each
 * conversion: {@code gclid, conversionAction, conversionDateTime, conversionValue, currencyCode}.
 */
final class GoogleAdsClicksUpload extends GoogleAdsUpload {

    /** Leads with a gclid go up as click conversions too, to their own action when one is named. */
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
        if (c.gclid() == null) {
            return null;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("gclid", c.gclid());
        row.put("conversionAction", action);
        row.put("conversionDateTime", time(c.convertedAt(), zone));
        value(row, c, currency);
        return row;
    }
}
