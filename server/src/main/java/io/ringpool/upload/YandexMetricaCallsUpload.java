package io.ringpool.upload;

import io.ringpool.export.CsvWriter;
import java.io.IOException;
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
 * Yandex Metrica call upload: {@code POST /management/v1/counter/{counterId}/offline_conversions/upload_calls}
 * with {@code Authorization: OAuth <token>} and the calls as a CSV file in a
 * {@code multipart/form-data} part named {@code file}. Columns: {@code ClientId} (or {@code Yclid}),
 * {@code DateTime} (Unix seconds), then {@code StaticCall, Price, Currency, PhoneNumber,
 * TalkDuration, HoldDuration, CallMissed, Tag, FirstTimeCaller, URL, CallTrackerURL}. Query:
 * {@code comment}, and {@code new_goal_name} (the calls goal created when the counter has none).
 */
final class YandexMetricaCallsUpload extends YandexMetricaUpload {
    /** The answer goes up with the call ({@link Platform#takesUnanswered}). */
    @Override
    public boolean takesUnanswered() {
        return true;
    }

    static final String TYPE = "yandex-metrica-calls";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> required() {
        return Set.of("counterId");
    }

    @Override
    public Set<String> optional() {
        return Set.of("idType", "newGoalName");
    }

    @Override
    List<String> columns(Destination d) {
        return List.of(idColumn(d), "DateTime", "StaticCall", "Price", "Currency", "PhoneNumber", "TalkDuration", "HoldDuration",
                "CallMissed", "Tag", "FirstTimeCaller", "URL", "CallTrackerURL");
    }

    @Override
    void writeRow(CsvWriter csv, Map<String, Object> row) throws IOException {
        csv.text((String) row.get(row.containsKey("Yclid") ? "Yclid" : "ClientId")).value((String) row.get("DateTime"))
                .value((String) row.get("StaticCall")).value((String) row.get("Price")).value((String) row.get("Currency"))
                .phone((String) row.get("PhoneNumber")).value((String) row.get("TalkDuration")).value((String) row.get("HoldDuration"))
                .value((String) row.get("CallMissed")).text((String) row.get("Tag")).value((String) row.get("FirstTimeCaller"))
                .text((String) row.get("URL")).text((String) row.get("CallTrackerURL")).endRow();
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
            int talk = c.talkSeconds() == null ? 0 : c.talkSeconds();
            int hold = Math.max(0, (c.durationSeconds() == null ? talk : c.durationSeconds()) - talk);
            String price = price(c.value());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put(idColumn, id);
            row.put("DateTime", Long.toString(c.startedAt().getEpochSecond()));
            row.put("StaticCall", c.staticCall() ? "1" : "0");
            row.put("Price", price);
            row.put("Currency", price.isEmpty() ? "" : c.currency() != null ? c.currency() : currency);
            row.put("PhoneNumber", c.caller() == null ? "" : c.caller());
            row.put("TalkDuration", Integer.toString(talk));
            row.put("HoldDuration", Integer.toString(hold));
            row.put("CallMissed", c.answered() ? "0" : "1");
            row.put("Tag", io.ringpool.export.TagList.cell(c.tags()));
            row.put("FirstTimeCaller", c.firstTime() ? "1" : "0");
            row.put("URL", c.landingPage() == null ? "" : c.landingPage());
            row.put("CallTrackerURL", c.recordingUrl() == null ? "" : c.recordingUrl());
            rows.add(row);
            rowCalls.add(i);
        }
        if (rows.isEmpty()) {
            return new UploadOutcome(rows, skipped, true, null, null, null);
        }
        String newGoal = d.setting("newGoalName") == null ? ""
                : "&new_goal_name=" + URLEncoder.encode(d.setting("newGoalName"), StandardCharsets.UTF_8);
        return post(d, "upload_calls", newGoal, "calls.csv", rows, rowCalls, skipped, now, sender);
    }
}
