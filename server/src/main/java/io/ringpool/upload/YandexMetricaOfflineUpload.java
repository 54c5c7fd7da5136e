package io.ringpool.upload;

import io.ringpool.export.CsvWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
final class YandexMetricaOfflineUpload extends YandexMetricaUpload {
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
        return Set.of("idType", "leadTarget");
    }

    /** Leads with a ClientId (or yclid) go up as offline conversions too, to {@code leadTarget} when named. */
    @Override
    public boolean takesLeads() {
        return true;
    }

    @Override
    public UploadOutcome upload(Destination d, List<CallConversion> calls, ZoneId zone, String currency, Instant now,
            UploadSender sender) throws IOException {
        String idColumn = idColumn(d);
        List<Map<String, Object>> rows = new ArrayList<>();
        int skipped = 0;
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (CsvWriter csv = new CsvWriter(file)) {
            csv.header(idColumn, "Target", "DateTime", "Price", "Currency");
            for (CallConversion c : calls) {
                String id = visitorId(d, c);
                if (id == null) {
                    skipped++;
                    continue;
                }
                String price = price(c.value());
                String cur = price.isEmpty() ? "" : c.currency() != null ? c.currency() : currency;
                String at = Long.toString(c.convertedAt().getEpochSecond());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put(idColumn, id);
                String target = c.lead() && d.setting("leadTarget") != null ? d.setting("leadTarget") : d.setting("target");
                row.put("Target", target);
                row.put("DateTime", at);
                row.put("Price", price);
                row.put("Currency", cur);
                csv.text(id).text(target).value(at).value(price).value(cur).endRow();
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            return new UploadOutcome(rows, skipped, true, null, null, null);
        }
        return post(d, this, "upload", "", "conversions.csv", file.toByteArray(), rows, skipped, now, sender);
    }
}
