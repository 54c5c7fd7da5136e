package io.ringpool.upload;

import io.ringpool.export.CsvWriter;
import io.ringpool.outbound.OutboundHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Yandex Metrica offline conversions: {@code POST /management/v1/counter/{counterId}/offline_conversions/upload}
 * with {@code Authorization: OAuth <token>} and a CSV file ({@code multipart/form-data}, part
 * {@code file}) of {@code ClientId} (or {@code Yclid}), {@code Target} (the goal's identifier),
 * {@code DateTime} (Unix seconds, in the past), {@code Price}, {@code Currency}.
 */
final class YandexMetricaOfflineUpload implements Platform {
    static final String TYPE = "yandex-metrica-offline";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> required() {
        return Set.of("counterId", "target");
    }

    @Override
    public Set<String> optional() {
        return Set.of("idType");
    }

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

    @Override
    public UploadOutcome upload(Destination d, List<CallConversion> calls, ZoneId zone, String currency, Instant now,
            UploadSender sender) throws IOException {
        boolean yclid = "yclid".equals(d.setting("idType"));
        List<Map<String, Object>> rows = new ArrayList<>();
        int skipped = 0;
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (CsvWriter csv = new CsvWriter(file)) {
            csv.header(yclid ? "Yclid" : "ClientId", "Target", "DateTime", "Price", "Currency");
            for (CallConversion c : calls) {
                String id = yclid ? c.yclid() : c.ymClientId();
                if (id == null) {
                    skipped++;
                    continue;
                }
                String price = price(c.value());
                String cur = price.isEmpty() ? "" : c.currency() != null ? c.currency() : currency;
                String at = Long.toString(c.convertedAt().getEpochSecond());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put(yclid ? "Yclid" : "ClientId", id);
                row.put("Target", d.setting("target"));
                row.put("DateTime", at);
                row.put("Price", price);
                row.put("Currency", cur);
                csv.text(id).text(d.setting("target")).value(at).value(price).value(cur).endRow();
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            return new UploadOutcome(rows, skipped, true, null, null, null);
        }
        String url = Platform.base(d, this) + "/management/v1/counter/" + d.setting("counterId")
                + "/offline_conversions/upload?comment=" + URLEncoder.encode("Ringpool " + now, StandardCharsets.UTF_8);
        MultipartFile body = MultipartFile.of("file", "conversions.csv", "text/csv; charset=utf-8", file.toByteArray());
        OutboundHttp.Response r = sender.send(new OutboundHttp.Request("POST", URI.create(url),
                Map.of("Authorization", "OAuth " + d.secret("oauthToken"), "Content-Type", body.contentType()), body.body()));
        return outcome(rows, skipped, r);
    }

    /** A value as Yandex wants it: a dot as the decimal separator, no exponent; "" when none. */
    static String price(Double value) {
        return value == null ? "" : BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    static UploadOutcome outcome(List<Map<String, Object>> rows, int skipped, OutboundHttp.Response r) {
        if (r == null) {
            return new UploadOutcome(rows, skipped, true, null, null, null); // dry run
        }
        return new UploadOutcome(rows, skipped, r.isSuccess(), r.status(), r.bodyText(), r.isSuccess() ? null : "HTTP " + r.status());
    }
}
