package io.ringpool.telephony.vonage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ringpool.call.CallEvent;
import io.ringpool.telephony.provider.CallRecording;
import io.ringpool.telephony.provider.Digests;
import io.ringpool.telephony.provider.ProviderJson;
import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.ReplayGuard;
import io.ringpool.telephony.provider.TelephonyProvider;
import io.ringpool.telephony.provider.WebhookCall;
import io.ringpool.telephony.provider.WebhookRefused;
import io.ringpool.telephony.provider.WebhookResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Vonage Voice API: the application's answer URL ({@code answer}, GET by default or POST) and
 * event URL ({@code event}, POST JSON by default, or GET with the same fields in the query when the
 * application's event {@code http_method} is GET). Vonage signs both with a JWT in
 * {@code Authorization: Bearer}: HS256 keyed by the account's <em>signature secret</em>, with
 * claims {@code iat}, {@code jti} and {@code payload_hash} = hex SHA-256 of the body (for a GET,
 * of the query parameters as a compact JSON object in their order). We check the MAC (Nimbus
 * JOSE+JWT), that {@code iat} is within {@link #TOLERANCE}, the payload hash, and that the
 * {@code jti} was not accepted before.
 *
 * <p>{@code answer} records the call and returns an NCCO {@code connect} to the site's
 * {@code forwardTo}, with this site's event URL. The call id is {@code conversation_uuid}, shared by
 * the caller's (inbound) leg and the connected (outbound) leg. Event statuses:
 * <pre>
 * inbound  started, ringing          -> ringing (from, to)
 * inbound  answered                  -> nothing (Vonage answered to run the NCCO, not the business)
 * inbound  completed                 -> missed with duration, unless the business answered (then the
 *                                       call is completed: answered calls end completed)
 * outbound answered                  -> answered (the business picked up)
 * outbound completed                 -> completed, talk = duration
 * any      busy -> busy; failed, rejected -> failed; timeout, unanswered, cancelled -> missed
 * recording (recording_url)          -> completed with the recording URL
 * </pre>
 */
public final class VonageProvider implements TelephonyProvider {

    public static final String NAME = "vonage";

    /** How far {@code iat} may be from our clock. */
    static final Duration TOLERANCE = Duration.ofMinutes(5);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        return ProviderSettingsSpec.of(ProviderSettingsSpec.Field.secret("signatureSecret"));
    }

    @Override
    public List<ProviderRoute> routes() {
        return List.of(
                ProviderRoute.answer("GET", "/v1/telephony/vonage/{siteId}/answer", this::answer),
                ProviderRoute.answer("POST", "/v1/telephony/vonage/{siteId}/answer", this::answer),
                ProviderRoute.post("/v1/telephony/vonage/{siteId}/event", this::event),
                // The application's event_url may be set to GET (its http_method): the same fields, in the query.
                new ProviderRoute("GET", "/v1/telephony/vonage/{siteId}/event", ProviderRoute.Kind.EVENT, this::event));
    }

    static ReplayGuard.Key verify(WebhookCall call) {
        String auth = call.request().header("authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.substring(7).isBlank()) {
            throw WebhookRefused.missing("Vonage signs webhooks with a JWT in 'Authorization: Bearer'; none was sent");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(auth.substring(7).strip());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw WebhookRefused.malformed("the bearer token is not a JWT");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw WebhookRefused.mismatch("the JWT is not HS256");
        }
        if (!macValid(jwt, call.settings().get("signatureSecret"))) {
            throw WebhookRefused.mismatch("the JWT's signature does not match this site's Vonage signature secret");
        }
        String hash = claimText(claims, "payload_hash");
        if (hash != null && !payloadMatches(call, hash)) {
            throw WebhookRefused.mismatch("payload_hash does not match the body: it was changed in transit");
        }
        if (hash == null && call.request().body().length > 0) {
            throw WebhookRefused.mismatch("the JWT has no payload_hash for a request with a body");
        }
        Date iat = claims.getIssueTime();
        Instant now = call.clock().instant();
        if (iat == null || Duration.between(iat.toInstant(), now).abs().compareTo(TOLERANCE) > 0) {
            throw WebhookRefused.stale("the JWT's iat is missing or more than 5 minutes from the server's clock");
        }
        String jti = claims.getJWTID();
        return call.replays().key(NAME, call.site().siteId(), jti != null ? jti : jwt.getSignature().toString(), TOLERANCE.multipliedBy(2));
    }

    /**
     * HS256 over the JWS signing input. Nimbus's verifier refuses keys shorter than 256 bits
     * (RFC 7518 §3.2); Vonage's signature secrets may be shorter, so those are checked with the JDK's
     * HMAC over the same input, compared in constant time.
     */
    private static boolean macValid(SignedJWT jwt, String secret) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        try {
            if (key.length >= 32) {
                return jwt.verify(new MACVerifier(key));
            }
            byte[] expected = Digests.hmac("HmacSHA256", secret, jwt.getSigningInput());
            return MessageDigest.isEqual(expected, jwt.getSignature().decode());
        } catch (JOSEException e) {
            return false;
        }
    }

    private static boolean payloadMatches(WebhookCall call, String hash) {
        String given = hash.strip().toLowerCase(Locale.ROOT);
        byte[] body = call.request().body();
        if (body.length > 0) {
            return Digests.sameText(given, java.util.HexFormat.of().formatHex(Digests.sha256(body)));
        }
        Map<String, String> params = new LinkedHashMap<>();
        call.request().query().forEach((k, v) -> params.put(k, v.isEmpty() ? "" : v.get(0)));
        String json;
        try {
            json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(params);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return false;
        }
        return Digests.sameText(given, Digests.sha256Hex(json));
    }

    private static String claimText(JWTClaimsSet claims, String name) {
        Object v = claims.getClaim(name);
        return v == null ? null : v.toString();
    }

    /**
     * The answer webhook's fields, from the query (GET) or the JSON body (POST), read alike: stripped,
     * blank ones absent (as {@link ProviderJson#text}), so a GET answer and a POST event name one call
     * by one id.
     */
    private static Map<String, String> fields(WebhookCall call) {
        Map<String, String> out = new LinkedHashMap<>();
        call.request().query().forEach((k, v) -> {
            if (!v.isEmpty() && !v.get(0).isBlank()) {
                out.put(k, v.get(0).strip());
            }
        });
        if (call.request().body().length > 0) {
            JsonNode json = ProviderJson.parseObject(call.request().body());
            json.fieldNames().forEachRemaining(n -> {
                String v = ProviderJson.text(json, n);
                if (v != null) {
                    out.put(n, v);
                }
            });
        }
        return out;
    }

    private WebhookResult answer(WebhookCall call) {
        ReplayGuard.Key key = verify(call);
        Map<String, String> f = fields(call);
        String id = f.getOrDefault("conversation_uuid", f.get("uuid"));
        if (id == null || id.isBlank()) { // any length: the store keeps a long id in its digest form
            throw WebhookRefused.invalidBody("conversation_uuid", "the answer webhook names the call in conversation_uuid");
        }
        CallEvent e = new CallEvent(NAME, id, CallEvent.Kind.RINGING, call.clock().instant(), f.get("from"), f.get("to"), null, null, null);
        return WebhookResult.of(List.of(e), new WebhookResult.Reply(200, "application/json", ncco(call, f.get("to"))))
                .withReplayKeys(List.of(key));
    }

    /** An NCCO connecting the caller to the site's real number (Vonage writes numbers without '+'). */
    static String ncco(WebhookCall call, String trackingNumber) {
        String to = call.forwardTo();
        if (to == null) {
            return "[{\"action\":\"talk\",\"text\":\"\"}]";
        }
        CallRecording rec = call.recording();
        StringBuilder n = new StringBuilder("[");
        if (rec.notice() != null) {
            n.append(rec.noticeIsAudio() ? "{\"action\":\"stream\",\"streamUrl\":[\"" + jsonEscape(rec.notice()) + "\"]},"
                    : "{\"action\":\"talk\",\"text\":\"" + jsonEscape(rec.notice()) + "\"},");
        }
        if (rec.record()) {
            // NCCO "record": asynchronous, lasts until the call ends when no endOnSilence/endOnKey/timeOut is
            // given; after the notice so the notice is not in it; split "conversation" with 2 channels keeps
            // caller and business apart; the recording event (recording_url) goes to our event URL.
            n.append("{\"action\":\"record\",\"split\":\"conversation\",\"channels\":2,\"format\":\"mp3\",\"eventUrl\":[\"")
                    .append(jsonEscape(call.callbackUrl(NAME, "event"))).append("\"],\"eventMethod\":\"POST\"},");
        }
        n.append("{\"action\":\"connect\",\"eventUrl\":[\"")
                .append(jsonEscape(call.callbackUrl(NAME, "event"))).append("\"]");
        if (trackingNumber != null && trackingNumber.strip().matches("\\+?[0-9]{6,15}")) {
            // Caller ID towards the business: the Vonage number that was called (the caller's own is not allowed).
            n.append(",\"from\":\"").append(trackingNumber.strip().replace("+", "")).append('"');
        }
        return n.append(",\"endpoint\":[{\"type\":\"phone\",\"number\":\"").append(jsonEscape(to.replace("+", "")))
                .append("\"}]}]").toString();
    }

    /** A JSON string's content: quotes, backslashes and control characters escaped (the notice is free text). */
    static String jsonEscape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private WebhookResult event(WebhookCall call) {
        ReplayGuard.Key key = verify(call);
        JsonNode j = call.request().body().length > 0 ? ProviderJson.parseObject(call.request().body()) : queryAsObject(call);
        String id = ProviderJson.text(j, "conversation_uuid");
        if (id == null) {
            throw WebhookRefused.invalidBody("conversation_uuid", "an event names its call in conversation_uuid");
        }
        Instant at = time(ProviderJson.text(j, "timestamp"), call);
        String recording = ProviderJson.text(j, "recording_url");
        if (recording != null) {
            CallEvent e = new CallEvent(NAME, id, CallEvent.Kind.COMPLETED, at, null, null, null, null, recording);
            return WebhookResult.of(List.of(e), WebhookResult.Reply.NO_CONTENT).withReplayKeys(List.of(key));
        }
        String status = String.valueOf(ProviderJson.text(j, "status")).toLowerCase(Locale.ROOT);
        boolean inbound = "inbound".equalsIgnoreCase(ProviderJson.text(j, "direction"));
        String from = inbound ? ProviderJson.text(j, "from") : null;
        String to = inbound ? ProviderJson.text(j, "to") : null;
        Integer seconds = ProviderJson.seconds(j, "duration");
        CallEvent e = switch (status) {
            case "started", "ringing" -> inbound ? new CallEvent(NAME, id, CallEvent.Kind.RINGING, at, from, to, null, null, null) : null;
            case "answered" -> inbound ? null : new CallEvent(NAME, id, CallEvent.Kind.ANSWERED, at, null, null, null, null, null);
            case "completed" -> inbound ? new CallEvent(NAME, id, CallEvent.Kind.MISSED, at, from, to, seconds, null, null)
                    : new CallEvent(NAME, id, CallEvent.Kind.COMPLETED, at, null, null, null, seconds, null);
            case "busy" -> new CallEvent(NAME, id, CallEvent.Kind.BUSY, at, from, to, null, 0, null);
            case "failed", "rejected" -> new CallEvent(NAME, id, CallEvent.Kind.FAILED, at, from, to, null, 0, null);
            case "timeout", "unanswered", "cancelled" -> new CallEvent(NAME, id, CallEvent.Kind.MISSED, at, from, to, null, 0, null);
            default -> null;
        };
        WebhookResult result = e == null ? WebhookResult.ignored((inbound ? "inbound " : "outbound ") + status + " is not recorded",
                WebhookResult.Reply.NO_CONTENT) : WebhookResult.of(List.of(e), WebhookResult.Reply.NO_CONTENT);
        return result.withReplayKeys(List.of(key));
    }

    /** A GET event's query as the object its POST twin would carry (every value as text; the first of a repeated name). */
    private static JsonNode queryAsObject(WebhookCall call) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        call.request().query().forEach((k, v) -> {
            if (!v.isEmpty() && !o.has(k)) {
                o.put(k, v.get(0));
            }
        });
        return o;
    }

    private static Instant time(String iso, WebhookCall call) {
        if (iso != null) {
            try {
                return OffsetDateTime.parse(iso).toInstant();
            } catch (DateTimeException unreadable) {
                try {
                    return Instant.parse(iso);
                } catch (DateTimeException alsoUnreadable) {
                    // fall through
                }
            }
        }
        return call.clock().instant();
    }
}
