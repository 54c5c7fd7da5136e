package io.ringpool.upload;

import io.ringpool.export.CsvWriter;
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
    List<String> columns(Destination d) {
        return List.of(idColumn(d), "Target", "DateTime", "Price", "Currency");
    }

    @Override
    void writeRow(CsvWriter csv, Map<String, Object> row) throws IOException {
        csv.text((String) row.get(row.containsKey("Yclid") ? "Yclid" : "ClientId")).text((String) row.get("Target"))
                .value((String) row.get("DateTime")).value((String) row.get("Price")).value((String) row.get("Currency")).endRow();
    }

    @Override
    public UploadOutcome upload(Destination d, List<CallConversion> calls, ZoneId zone, String currency, Instant now,
            UploadSender sender) throws IOException {
        String idColumn = idColumn(d);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Integer> rowCalls = new ArrayList<>();
        int skipped = 0;
        for (int i = 0; i < calls.size(); i++) {
            CallConversion c = calls.get(i);
            String id = visitorId(d, c);
            if (id == null) {
                skipped++;
                continue;
            }
            String price = price(c.value());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put(idColumn, id);
            row.put("Target", c.lead() && d.setting("leadTarget") != null ? d.setting("leadTarget") : d.setting("target"));
            row.put("DateTime", Long.toString(c.convertedAt().getEpochSecond()));
            row.put("Price", price);
            row.put("Currency", price.isEmpty() ? "" : c.currency() != null ? c.currency() : currency);
            rows.add(row);
            rowCalls.add(i);
        }
        if (rows.isEmpty()) {
            return new UploadOutcome(rows, skipped, true, null, null, null);
        }
        return post(d, "upload", "", "conversions.csv", rows, rowCalls, skipped, now, sender);
    }
}
