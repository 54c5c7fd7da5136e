package io.ringpool.upload;

import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Google Ads call conversions ({@code customers/{id}:uploadCallConversions}), for calls that came
 * through Google forwarding numbers: Google matches the caller and the call's start. Each
 * conversion: {@code callerId} (E.164), {@code callStartDateTime, conversionAction,
 * conversionDateTime, conversionValue, currencyCode}.
 */
final class GoogleAdsCallsUpload extends GoogleAdsUpload {
    static final String TYPE = "google-ads-calls";

    GoogleAdsCallsUpload(GoogleOAuth oauth) {
        super(oauth);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    String method() {
        return "uploadCallConversions";
    }

    @Override
    Map<String, Object> conversion(Destination d, CallConversion c, String action, ZoneId zone, String currency) {
        if (c.caller() == null) {
            return null;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("callerId", c.caller());
        row.put("callStartDateTime", time(c.startedAt(), zone));
        row.put("conversionAction", action);
        row.put("conversionDateTime", time(c.convertedAt(), zone));
        value(row, c, currency);
        return row;
    }
}
