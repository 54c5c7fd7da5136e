package io.ringpool.download;

import io.ringpool.export.CsvWriter;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.DownloadName;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.site.Site;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CSV for people (the call log, the lead log, report tables: audit AI4 F16), as against the ad
 * platforms' formats: UTF-8 with a byte-order mark, which is what makes Excel read a Cyrillic
 * source or campaign as Cyrillic rather than as Windows-1251 mojibake (the platforms' files have
 * none: their parsers do not expect one). Cells are written by {@link CsvWriter}, so free text is
 * neutralised against formula injection as in every export.
 *
 * <p>{@code ?separator=semicolon} writes {@code ;} between cells and a decimal comma in numbers
 * ({@code 1500,5}): Excel splits a double-clicked CSV on the Windows list separator, which is
 * {@code ;} wherever the decimal mark is a comma (Russia, Germany, France…), so the default file
 * opened there as one column of text (audit AN2 F7). The dashboard asks for it when the browser's
 * locale writes decimal commas.
 */
public final class SpreadsheetCsv {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** The count trailer the exports send too, so one dashboard line reads both. */
    public static final String ROWS_HEADER = "X-Ringpool-Exported-Rows";

    private SpreadsheetCsv() {}

    /** How the cells are laid out: the query parameter {@code separator}. */
    public enum Layout {
        COMMA(',', '.'), SEMICOLON(';', ',');

        final char separator;
        final char decimalMark;

        Layout(char separator, char decimalMark) {
            this.separator = separator;
            this.decimalMark = decimalMark;
        }
    }

    static final String LAYOUT_PARAMETER = "separator";

    /** The layout asked for ({@code comma} by default); 422 naming {@code separator} for another value. */
    public static Layout layout(Request request) {
        List<String> asked = request.query().get(LAYOUT_PARAMETER);
        if (asked == null || asked.isEmpty()) {
            return Layout.COMMA;
        }
        return switch (asked.get(asked.size() - 1)) {
            case "comma", "," -> Layout.COMMA;
            case "semicolon", ";" -> Layout.SEMICOLON;
            default -> throw new DomainFailure(DomainFailure.Kind.INVALID, "invalid_value",
                    "'separator' must be comma or semicolon", LAYOUT_PARAMETER);
        };
    }

    /** The request without {@code separator}, for the route's own query parser, which knows only its filters. */
    public static Request withoutLayout(Request request) {
        if (!request.query().containsKey(LAYOUT_PARAMETER)) {
            return request;
        }
        Map<String, List<String>> query = new LinkedHashMap<>(request.query());
        query.remove(LAYOUT_PARAMETER);
        return new Request(request.method(), request.path(), request.route(), request.pathParams(), query, request.headers(),
                request.body(), request.clientIp(), request.target());
    }

    /** What writes the rows: the number written, or an exception that cuts the transfer short. */
    public interface Rows {
        long write(CsvWriter csv) throws Exception;
    }

    /**
     * A streamed {@code text/csv} attachment named {@code <kind>_<site>_<first>_<last>.csv}; the row
     * count follows as {@value #ROWS_HEADER} (a header for a short file, a trailer past the HTTP
     * layer's first megabyte).
     */
    public static Response response(Site site, String kind, Instant from, Instant to, Layout layout, Rows rows) {
        ZoneId zone = site.settings().timeZone();
        String name = DownloadName.of(kind, site.name(), site.siteId(), rangeName(from, to, zone), "csv");
        return Response.streamed(200, "text/csv; charset=utf-8", Map.of(
                "Content-Disposition", DownloadName.contentDisposition("attachment", name),
                "Cache-Control", "no-store"), List.of(ROWS_HEADER), out -> {
                    long n;
                    try (CsvWriter csv = open(out, layout)) {
                        n = rows.write(csv);
                        csv.flush();
                    }
                    return Map.of(ROWS_HEADER, Long.toString(n));
                });
    }

    static CsvWriter open(OutputStream out, Layout layout) throws IOException {
        out.write(BOM);
        return new CsvWriter(out, layout.separator, layout.decimalMark);
    }

    /** {@code 2026-11-07_2026-12-06}: the first and last day of [from, to) in the site's zone; "all" for an open range. */
    static String rangeName(Instant from, Instant to, ZoneId zone) {
        if (from == null && to == null) {
            return "all";
        }
        String first = from == null ? "start" : LocalDate.ofInstant(from, zone).toString();
        String last = to == null ? "now" : LocalDate.ofInstant(to.minusMillis(1), zone).toString();
        return first + "_" + last;
    }

    /** A time as the dashboard shows it, in the site's zone: {@code 2026-12-06 11:18:23}; empty for none. */
    public static String localTime(Instant t, ZoneId zone) {
        return t == null ? "" : LOCAL.format(t.atZone(zone));
    }
}
