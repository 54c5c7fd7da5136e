package io.ringpool.upload;

import io.ringpool.outbound.OutboundHttp;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Yandex Metrica's two CSV uploads (calls, offline conversions) share: the counter and OAuth
 * token settings, the API host, batches of 1,000, the visitor id column ({@code ClientId}, or
 * {@code Yclid} with {@code idType: yclid}), the price format, and the request itself — a CSV
 * file in the {@code multipart/form-data} part {@code file}, with {@code Authorization: OAuth <token>}
 * and a {@code comment} naming the upload.
 */
abstract class YandexMetricaUpload implements Platform {

    @Override
    public Set<String> secrets() {
        return Set.of("oauthToken");
    }

    @Override
    public String defaultBaseUrl() {
        return "https://api-metrika.yandex.net";
    }

    @Override
    public int maxBatch() {
        return 1000;
    }

    /** Whether the destination identifies visitors by yclid rather than Metrica's ClientId. */
    static boolean byYclid(Destination d) {
        return "yclid".equals(d.setting("idType"));
    }

    /** The call's visitor id in the destination's id column, or null when the visit had none. */
    static String visitorId(Destination d, CallConversion c) {
        return byYclid(d) ? c.yclid() : c.ymClientId();
    }

    /** The id column's header. */
    static String idColumn(Destination d) {
        return byYclid(d) ? "Yclid" : "ClientId";
    }

    /** A value as Yandex wants it: a dot as the decimal separator, no exponent; "" when none. */
    static String price(Double value) {
        return value == null ? "" : BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /**
     * Posts {@code csv} to {@code /management/v1/counter/{counterId}/offline_conversions/{method}}
     * ({@code extraQuery}: further {@code &name=value} pairs, already encoded) and reads the answer.
     */
    static UploadOutcome post(Destination d, Platform platform, String method, String extraQuery, String fileName, byte[] csv,
            List<Map<String, Object>> rows, int skipped, Instant now, UploadSender sender) throws IOException {
        String url = Platform.base(d, platform) + "/management/v1/counter/" + d.setting("counterId") + "/offline_conversions/" + method
                + "?comment=" + URLEncoder.encode("Ringpool " + now, StandardCharsets.UTF_8) + extraQuery;
        MultipartFile body = MultipartFile.of("file", fileName, "text/csv; charset=utf-8", csv);
        OutboundHttp.Response r;
        try {
            r = sender.send(new OutboundHttp.Request("POST", URI.create(url),
                    Map.of("Authorization", "OAuth " + d.secret("oauthToken"), "Content-Type", body.contentType()), body.body()));
        } catch (IOException e) {
            return UploadOutcome.unreachable(rows, skipped, e);
        }
        if (r == null) {
            return new UploadOutcome(rows, skipped, true, null, null, null); // dry run
        }
        return new UploadOutcome(rows, skipped, r.isSuccess(), r.status(), r.bodyText(), r.isSuccess() ? null : "HTTP " + r.status());
    }
}
