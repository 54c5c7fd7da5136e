package io.ringpool.export;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import io.ringpool.report.ReportRange;
import io.ringpool.site.SiteAccess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/sites/{siteId}/exports/{format}.csv} (site key).
 *
 * <p>Rows are written as they are read from the database. The HTTP layer sends whole responses
 * (a {@link Response} holds its body), so the CSV goes into a bounded buffer ({@link #MAX_BYTES});
 * an export beyond it is refused with 413 and a hint to narrow the range rather than filling the
 * heap. A streaming response hook in {@code http} would remove the bound (see docs/reports.md).
 * The counts go in headers: {@code X-Ringpool-Exported-Rows}, {@code X-Ringpool-Skipped-Rows}
 * (calls left out for lack of the format's id).
 */
public final class ExportApi {
    /** Largest export answered: about 300,000 calls of Yandex's widest format. */
    static final int MAX_BYTES = 64 * 1024 * 1024;

    static final Set<String> PARAMETERS = Set.of("from", "to", "tag", "target", "unique", "uniqueTarget", "conversionName", "idType");
    private static final int TAG_CHARS = 50;
    private static final int CONVERSION_NAME_CHARS = 100;

    private final ExportService exports;
    private final SiteAccess access;
    private final Clock clock;

    public ExportApi(ExportService exports, SiteAccess access, Clock clock) {
        this.exports = exports;
        this.access = access;
        this.clock = clock;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/exports/{file}", this::export);
    }

    private Response export(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        String file = request.pathParam("file");
        ExportFormat format = file.endsWith(".csv")
                ? ExportFormat.byUrlName(file.substring(0, file.length() - 4)).orElse(null) : null;
        if (format == null) {
            throw new DomainFailure(DomainFailure.Kind.NOT_FOUND, "unknown_format", "no such export; formats: " + String.join(", ",
                    Arrays.stream(ExportFormat.values()).map(f -> f.urlName() + ".csv").toList()));
        }
        ExportQuery query = query(format, request, site);
        BoundedBuffer buffer = new BoundedBuffer(MAX_BYTES);
        ExportService.Result result;
        try {
            result = exports.write(site, query, buffer);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof TooLarge) {
                throw new DomainFailure(DomainFailure.Kind.TOO_LARGE, "export_too_large", "the export exceeds " + MAX_BYTES / (1024 * 1024)
                        + " MiB; narrow the range (from/to) or filter by tag, target or unique", "from");
            }
            throw e;
        }
        LocalDate first = query.range().firstDay();
        LocalDate last = query.range().lastDay();
        String name = format.urlName() + "_" + first + "_" + last + ".csv";
        return new Response(200, "text/csv; charset=utf-8", buffer.bytes(), Map.of(
                "Content-Disposition", "attachment; filename=\"" + name + "\"",
                "Cache-Control", "no-store",
                "X-Ringpool-Exported-Rows", Long.toString(result.rows()),
                "X-Ringpool-Skipped-Rows", Long.toString(result.skipped())));
    }

    /** The query string as an {@link ExportQuery}; 400 for an unknown parameter, 422 naming a bad value. */
    private ExportQuery query(ExportFormat format, Request request, Site site) {
        QueryParameters q = QueryParameters.of(request, PARAMETERS);
        QueryParameters.Range given = q.range(site.settings().timeZone());
        ReportRange range = ReportRange.of(given.from(), given.to(), site.settings().timeZone(), clock.instant());
        return new ExportQuery(format, range, q.text("tag", TAG_CHARS), q.bool("target"), q.bool("unique"), q.bool("uniqueTarget"),
                q.text("conversionName", CONVERSION_NAME_CHARS),
                q.choice("idType", ExportQuery.IdType.class, ExportQuery.IdType::wireName, null));
    }

    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("export too large");
        }
    }

    /** An in-memory sink that refuses to grow past its limit. */
    private static final class BoundedBuffer extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 * 1024);
        private final int limit;

        BoundedBuffer(int limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            check(1);
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check(len);
            bytes.write(b, off, len);
        }

        private void check(int more) throws TooLarge {
            if (bytes.size() + (long) more > limit) {
                throw new TooLarge();
            }
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
