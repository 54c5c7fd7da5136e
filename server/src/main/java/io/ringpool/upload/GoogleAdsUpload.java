package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringpool.outbound.OutboundHttp;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the Google Ads API's two conversion uploads share: REST {@code POST
 * /{version}/customers/{customerId}:upload…Conversions} with an OAuth access token
 * ({@code Authorization: Bearer}), the {@code developer-token} header and, when a manager account
 * acts for the customer, {@code login-customer-id}; a JSON body of {@code conversions} with
 * {@code partialFailure: true} (Google's advice: valid rows are kept, invalid ones come back in
 * {@code partialFailureError}, which the upload log shows and {@link GoogleRowErrors} maps back to
 * the rows' calls). Times are {@code yyyy-mm-dd hh:mm:ss+hh:mm}
 * in the site's zone.
 */
abstract class GoogleAdsUpload implements Platform {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssxxx");
    /** The Google Ads API version used unless the destination names one ({@code apiVersion}). */
    static final String DEFAULT_VERSION = "v26"; // Google: "if you are new to the Google Ads API, start with v26" (v22 was sunset 2026-10-07)
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GoogleOAuth oauth;

    GoogleAdsUpload(GoogleOAuth oauth) {
        this.oauth = oauth;
    }

    /** {@code uploadClickConversions} or {@code uploadCallConversions}. */
    abstract String method();

    /** The call as one element of {@code conversions}, or null when it lacks what the upload matches on. */
    abstract Map<String, Object> conversion(Destination d, CallConversion c, String action, ZoneId zone, String currency);

    @Override
    public Set<String> required() {
        return Set.of("customerId", "conversionAction", "clientId");
    }

    @Override
    public Set<String> optional() {
        return Set.of("loginCustomerId", "apiVersion", "tokenUrl");
    }

    @Override
    public Set<String> secrets() {
        return Set.of("developerToken", "clientSecret", "refreshToken");
    }

    @Override
    public String defaultBaseUrl() {
        return "https://googleads.googleapis.com";
    }

    /** Google refuses a call or click under six hours old: see {@link GoogleTooRecent}. */
    @Override
    public java.time.Duration holdAfterCall() {
        return GoogleTooRecent.HOLD;
    }

    @Override
    public int maxBatch() {
        return 2000; // the API's limit of conversions per request
    }

    @Override
    public UploadOutcome upload(Destination d, List<CallConversion> calls, ZoneId zone, String currency, Instant now,
            UploadSender sender) throws IOException {
        String customer = d.setting("customerId");
        String action = d.setting("conversionAction").startsWith("customers/") ? d.setting("conversionAction")
                : "customers/" + customer + "/conversionActions/" + d.setting("conversionAction");
        String leadAction = d.setting("leadConversionAction") == null ? action
                : d.setting("leadConversionAction").startsWith("customers/") ? d.setting("leadConversionAction")
                : "customers/" + customer + "/conversionActions/" + d.setting("leadConversionAction");
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        List<Integer> rowCalls = new java.util.ArrayList<>(); // rowCalls.get(i): the index in calls of conversions[i]
        int skipped = 0;
        for (int i = 0; i < calls.size(); i++) {
            CallConversion c = calls.get(i);
            Map<String, Object> row = conversion(d, c, c.lead() ? leadAction : action, zone, currency);
            if (row == null) {
                skipped++;
            } else {
                rows.add(row);
                rowCalls.add(i);
            }
        }
        if (rows.isEmpty()) {
            return new UploadOutcome(rows, skipped, true, null, null, null);
        }
        String token;
        if (sender.dryRun()) {
            token = "(dry run: no token requested)";
        } else {
            try {
                token = oauth.accessToken(d, sender);
            } catch (GoogleOAuth.TokenRefused e) {
                return new UploadOutcome(rows, skipped, false, e.status, e.answer, e.getMessage());
            } catch (IOException e) {
                return UploadOutcome.unreachable(rows, skipped, e);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("conversions", rows);
        body.put("partialFailure", true);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + token);
        headers.put("developer-token", d.secret("developerToken"));
        headers.put("Content-Type", "application/json");
        if (d.setting("loginCustomerId") != null) {
            headers.put("login-customer-id", d.setting("loginCustomerId"));
        }
        String version = d.setting("apiVersion") != null ? d.setting("apiVersion") : DEFAULT_VERSION;
        URI uri = URI.create(Platform.base(d, this) + "/" + version + "/customers/" + customer + ":" + method());
        byte[] json = JSON.writeValueAsBytes(body);
        OutboundHttp.Response r;
        try {
            r = sender.send(new OutboundHttp.Request("POST", uri, headers, json));
        } catch (IOException e) {
            return UploadOutcome.unreachable(rows, skipped, e);
        }
        if (r == null) {
            return new UploadOutcome(rows, skipped, true, null, null, null);
        }
        if (r.status() == 401) {
            oauth.forget(d.destinationId()); // the next attempt asks for a fresh token
        }
        if (!r.isSuccess()) {
            return new UploadOutcome(rows, skipped, false, r.status(), r.bodyText(), GoogleErrorText.of(r.status(), r.bodyText()));
        }
        String partial = null;
        Map<Integer, RowResult> byCall = Map.of();
        try {
            JsonNode answer = JSON.readTree(r.body());
            JsonNode pf = answer.path("partialFailureError");
            if (!pf.isMissingNode() && !pf.isNull() && pf.size() > 0) {
                byCall = GoogleRowErrors.byCall(pf, answer.path("results"), rowCalls);
                partial = "partial failure: " + (byCall.isEmpty() ? "" : byCall.size() + " of " + rows.size() + " conversions refused: ")
                        + pf.path("message").asText("some conversions were refused");
            }
            if (!answer.isObject()) {
                return notGooglesAnswer(rows, skipped, r);
            }
        } catch (IOException e) {
            // A 200 that is not Google's JSON (a proxy's or a captive portal's page, a wrong baseUrl): the
            // conversions did not reach Google, so they are tried again (audit AI2 #7: shown sent).
            return notGooglesAnswer(rows, skipped, r);
        }
        return new UploadOutcome(rows, skipped, true, r.status(), r.bodyText(), partial, byCall);
    }

    private static UploadOutcome notGooglesAnswer(List<Map<String, Object>> rows, int skipped, OutboundHttp.Response r) {
        String body = r.bodyText() == null ? "" : r.bodyText().strip();
        return new UploadOutcome(rows, skipped, false, r.status(), r.bodyText(), "not Google Ads' answer (HTTP " + r.status()
                + " that is not JSON: " + (body.length() > 120 ? body.substring(0, 120) + "…" : body) + "); check the destination's baseUrl");
    }

    /** A quota error's wait is in the body ({@code RetryInfo}, {@code quotaErrorDetails}), not in Retry-After. */
    @Override
    public java.util.Optional<java.time.Duration> retryDelay(OutboundHttp.Response r) {
        return GoogleRetryDelay.of(r);
    }

    static String time(Instant t, ZoneId zone) {
        return TIME.format(t.atZone(zone));
    }

    static void value(Map<String, Object> row, CallConversion c, String currency) {
        if (c.value() != null) {
            row.put("conversionValue", c.value());
            row.put("currencyCode", c.currency() != null ? c.currency() : currency);
        }
    }
}
