package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.export.CsvWriter;
import io.ringpool.outbound.NetworkFailure;
import io.ringpool.outbound.OutboundHttp;
import io.ringpool.outbound.RetryAfter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Yandex Metrica's two CSV uploads (calls, offline conversions) share: the counter and OAuth
 * token settings, the API host, batches of 1,000, the visitor id column ({@code ClientId}, or
 * {@code Yclid} with {@code idType: yclid}), the price format, and the request itself — a CSV
 * file in the {@code multipart/form-data} part {@code file}, with {@code Authorization: OAuth <token>}
 * and a {@code comment} naming the upload — and the reading of the answer:
 * <ul>
 * <li>Metrica refuses a whole file with 400 for one bad row ("Invalid CSV: line 3 …"). Such a file
 * is halved and each half sent again, until the bad row is alone: it is refused with Metrica's
 * message and the others go through (audit AI2 #2: a single bad row held every call batched with
 * it for a day, then failed them all).
 * <li>A file it takes may still lose rows in validation: {@code uploading.line_quantity} ("rows that
 * passed validation") below {@code source_quantity} ("rows in the source file"). Metrica does not
 * say which rows, so the upload is {@code partial} and every row of that file is delivered with
 * the warning (none is resent: it may have counted).
 * </ul>
 */
abstract class YandexMetricaUpload implements Platform {
    /**
     * The most requests one upload makes while splitting a refused file: one bad row among 1,000
     * takes 21 (two halves at each of ten levels, and the first). Rows still in a refused part
     * when they are spent wait for the next attempt, which goes on splitting.
     */
    static final int MOST_REQUESTS = 32;

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

    /** The file's column names. */
    abstract List<String> columns(Destination d);

    /** Writes {@code row} (as the upload log shows it) as one line of the file. */
    abstract void writeRow(CsvWriter csv, Map<String, Object> row) throws IOException;

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
     * Posts {@code rows} as a CSV file to {@code /management/v1/counter/{counterId}/offline_conversions/{method}}
     * ({@code extraQuery}: further {@code &name=value} pairs, already encoded), splitting a file
     * Metrica refuses with 400, and reads the answers; {@code rowCalls.get(i)} is the index of
     * row {@code i}'s call.
     */
    UploadOutcome post(Destination d, String method, String extraQuery, String fileName, List<Map<String, Object>> rows,
            List<Integer> rowCalls, int skipped, Instant now, UploadSender sender) throws IOException {
        URI url = URI.create(Platform.base(d, this) + "/management/v1/counter/" + d.setting("counterId") + "/offline_conversions/"
                + method + "?comment=" + URLEncoder.encode("Ringpool " + now, StandardCharsets.UTF_8) + extraQuery);
        Map<Integer, RowResult> byCall = new LinkedHashMap<>();
        Deque<int[]> parts = new ArrayDeque<>(); // [from, to) of rows, the next to send first
        parts.push(new int[] {0, rows.size()});
        OutboundHttp.Response last = null;
        String refusal = null;
        String wholeFileWarning = null;
        int requests = 0;
        while (!parts.isEmpty()) {
            int[] part = parts.pop();
            List<Map<String, Object>> sent = rows.subList(part[0], part[1]);
            if (requests == MOST_REQUESTS) {
                holdBack(byCall, rowCalls, part, "not sent yet: Metrica refused the file it was in (" + refusal
                        + "), and this upload made its " + MOST_REQUESTS + " requests splitting it; the next attempt goes on", Duration.ZERO);
                continue;
            }
            requests++;
            OutboundHttp.Response r;
            try {
                r = sender.send(request(d, url, fileName, sent), true);
            } catch (IOException e) {
                if (requests == 1) {
                    return UploadOutcome.unreachable(rows, skipped, e);
                }
                holdBack(byCall, rowCalls, part, NetworkFailure.describe(e), Duration.ZERO);
                parts.forEach(p -> holdBack(byCall, rowCalls, p, NetworkFailure.describe(e), Duration.ZERO));
                break;
            }
            if (r == null) {
                return new UploadOutcome(rows, skipped, true, null, null, null); // dry run
            }
            last = r;
            if (r.isSuccess() && !isMetricasAnswer(r)) {
                // A 200 that is not Metrica's (a proxy's or a captive portal's page, a wrong baseUrl): the
                // rows did not reach Metrica, so they are tried again (audit AI2 #7: shown sent).
                String why = "not Metrica's answer (HTTP " + r.status() + " without an 'uploading' object: " + message(r)
                        + "); check the destination's baseUrl";
                if (requests == 1) {
                    return new UploadOutcome(rows, skipped, false, r.status(), r.bodyText(), why);
                }
                holdBack(byCall, rowCalls, part, why, Duration.ZERO);
                parts.forEach(p -> holdBack(byCall, rowCalls, p, why, Duration.ZERO));
                break;
            } else if (r.isSuccess()) {
                String warning = shortfall(r, sent.size());
                if (warning != null && requests == 1) {
                    wholeFileWarning = warning; // every row of the upload was in this file
                } else if (warning != null) {
                    for (int i = part[0]; i < part[1]; i++) {
                        byCall.put(rowCalls.get(i), RowResult.takenWith(warning));
                    }
                }
            } else if (r.status() == 400 && sent.size() > 1) {
                refusal = refusal == null ? "HTTP 400: " + message(r) : refusal;
                int middle = part[0] + sent.size() / 2;
                parts.push(new int[] {middle, part[1]});
                parts.push(new int[] {part[0], middle});
            } else if (r.status() == 400) {
                byCall.put(rowCalls.get(part[0]), RowResult.refused("Metrica refused this row: HTTP 400: " + message(r)));
            } else if (requests == 1) {
                return new UploadOutcome(rows, skipped, false, r.status(), r.bodyText(), "HTTP " + r.status() + ": " + message(r));
            } else {
                // Metrica failed for its own part, or the token or quota did, while a refused file was split: the rest waits.
                String why = "HTTP " + r.status() + ": " + message(r);
                Duration wait = RetryAfter.of(r, now).orElse(Duration.ZERO);
                holdBack(byCall, rowCalls, part, why, wait);
                parts.forEach(p -> holdBack(byCall, rowCalls, p, why, wait));
                break;
            }
        }
        String error = wholeFileWarning != null ? wholeFileWarning : refusal == null ? null : summary(refusal, byCall, rows.size());
        return new UploadOutcome(rows, skipped, true, last.status(), last.bodyText(), error, byCall);
    }

    private OutboundHttp.Request request(Destination d, URI url, String fileName, List<Map<String, Object>> rows) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (CsvWriter csv = new CsvWriter(file)) {
            csv.header(columns(d).toArray(String[]::new));
            for (Map<String, Object> row : rows) {
                writeRow(csv, row);
            }
        }
        MultipartFile body = MultipartFile.of("file", fileName, "text/csv; charset=utf-8", file.toByteArray());
        return new OutboundHttp.Request("POST", url, Map.of("Authorization", "OAuth " + d.secret("oauthToken"), "Content-Type",
                body.contentType()), body.body());
    }

    /** The rows of {@code part} wait for a later attempt, {@code wait} at least. */
    private static void holdBack(Map<Integer, RowResult> byCall, List<Integer> rowCalls, int[] part, String why, Duration wait) {
        for (int i = part[0]; i < part[1]; i++) {
            byCall.put(rowCalls.get(i), RowResult.later(why, wait));
        }
    }

    /**
     * The warning for a file Metrica took with fewer valid lines ({@code line_quantity}) than it
     * read ({@code source_quantity}, or the rows sent when it is missing or counts the header too);
     * null when every row passed.
     */
    static String shortfall(OutboundHttp.Response r, int rowsSent) {
        JsonNode uploading;
        try {
            uploading = UploadStore.JSON.readTree(r.body()).path("uploading");
        } catch (IOException e) {
            return null; // not JSON: the answer stays in the log as it came
        }
        if (!uploading.path("line_quantity").canConvertToInt()) {
            return null;
        }
        int valid = uploading.path("line_quantity").asInt();
        int read = uploading.path("source_quantity").canConvertToInt() ? Math.min(uploading.path("source_quantity").asInt(), rowsSent)
                : rowsSent;
        if (valid >= read) {
            return null;
        }
        return "Metrica took " + valid + " of the " + read + " rows of the file (line_quantity " + valid + ", source_quantity "
                + uploading.path("source_quantity").asText("none") + ") and does not say which: each call of the file may be one of the "
                + (read - valid) + " it dropped";
    }

    /** Whether a 2xx body is Metrica's upload answer: JSON with an {@code uploading} object. */
    static boolean isMetricasAnswer(OutboundHttp.Response r) {
        try {
            return UploadStore.JSON.readTree(r.body()).path("uploading").isObject();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Metrica's own words in a refusal ({@code message}, or its first error's), else the start of the body. */
    static String message(OutboundHttp.Response r) {
        try {
            JsonNode answer = UploadStore.JSON.readTree(r.body());
            String m = answer.path("message").asText("");
            if (m.isBlank()) {
                m = answer.path("errors").path(0).path("message").asText("");
            }
            if (!m.isBlank()) {
                return m;
            }
        } catch (IOException e) {
            // not JSON: the body itself
        }
        String body = r.bodyText() == null ? "" : r.bodyText().strip();
        return body.isEmpty() ? "(no message)" : body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }

    private static String summary(String refusal, Map<Integer, RowResult> byCall, int rows) {
        long refused = byCall.values().stream().filter(RowResult::finallyRefused).count();
        long later = byCall.values().stream().filter(x -> !x.accepted() && !x.finallyRefused()).count();
        return "Metrica refused the file (" + refusal + "); sent again in parts: " + (rows - refused - later) + " rows taken, " + refused
                + " refused" + (later > 0 ? ", " + later + " held for a later attempt" : "");
    }
}
