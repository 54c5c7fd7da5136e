package io.ringpool.export;

import io.ringpool.http.ApiException;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import io.ringpool.site.SiteAccess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Map;

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
            throw new ApiException(404, "unknown_format", "no such export; formats: " + String.join(", ",
                    Arrays.stream(ExportFormat.values()).map(f -> f.urlName() + ".csv").toList()));
        }
        ExportQuery query = ExportQuery.of(format, request, site.settings().timeZone(), clock.millis());
        BoundedBuffer buffer = new BoundedBuffer(MAX_BYTES);
        ExportService.Result result;
        try {
            result = exports.write(site, query, buffer);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof TooLarge) {
                throw new ApiException(413, "export_too_large", "the export exceeds " + MAX_BYTES / (1024 * 1024)
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
