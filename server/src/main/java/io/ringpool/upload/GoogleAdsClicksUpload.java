package io.ringpool.upload;

import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Google Ads click conversions ({@code customers/{id}:uploadClickConversions}): a call to one of
 * our pool numbers converts the ad click (GCLID) of the visit that held the number. Each
 * conversion: {@code gclid, conversionAction, conversionDateTime, conversionValue, currencyCode}.
 */
final class GoogleAdsClicksUpload extends GoogleAdsUpload {
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
