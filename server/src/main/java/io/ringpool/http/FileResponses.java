package io.ringpool.http;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers a file with HTTP range requests (RFC 9110 §14), which audio and video elements need to
 * seek: Chromium asks {@code Range: bytes=0-} first and plays only from a server that answers 206;
 * Safari refuses media from one that does not.
 *
 * <ul>
 *   <li>no {@code Range}: 200 with the whole file;</li>
 *   <li>one satisfiable range ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}): 206 with
 *       {@code Content-Range: bytes a-b/size};</li>
 *   <li>a well-formed range that starts past the end (or any range of an empty file): 416 with
 *       {@code Content-Range: bytes *}{@code /size};</li>
 *   <li>a header we do not read (another unit, several ranges, garbage): ignored, 200 with the whole
 *       file, as the RFC allows — never an error for a header a client may send blindly.</li>
 * </ul>
 * Every answer says {@code Accept-Ranges: bytes}.
 */
public final class FileResponses {

    private FileResponses() {}

    /**
     * @param size    the file's length in bytes (as the caller knows it; the file must be at least this long)
     * @param headers extra headers for every answer (cache policy, disposition)
     */
    public static Response serve(Request request, Path file, long size, String contentType, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Accept-Ranges", "bytes");
        String range = request.header("range");
        long[] slice = range == null ? null : parse(range, size);
        if (slice == null) {
            return new Response(200, contentType, new byte[0], Map.copyOf(all), new Response.FileSlice(file, 0, size));
        }
        if (slice.length == 0) {
            all.put("Content-Range", "bytes */" + size);
            Response error = Response.error(416, "range_not_satisfiable", "the range starts past the end of the " + size + "-byte file");
            return new Response(416, error.contentType(), error.body(), Map.copyOf(all));
        }
        long start = slice[0];
        long end = slice[1];
        all.put("Content-Range", "bytes " + start + "-" + end + "/" + size);
        return new Response(206, contentType, new byte[0], Map.copyOf(all), new Response.FileSlice(file, start, end - start + 1));
    }

    /**
     * {@code {first, last}} (inclusive) of a single byte range, an empty array when the range is
     * well-formed but unsatisfiable, or null when the header is to be ignored.
     */
    static long[] parse(String header, long size) {
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        String spec = h.substring(6).trim();
        if (spec.isEmpty() || spec.contains(",")) {
            return null;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) {
                if (b.isEmpty()) {
                    return null;
                }
                long suffix = Long.parseLong(b);
                if (suffix < 0) {
                    return null;
                }
                if (suffix == 0 || size == 0) {
                    return new long[0];
                }
                return new long[] {Math.max(0, size - suffix), size - 1};
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
            if (first < 0 || last < first) {
                return null; // syntactically invalid: ignore (RFC 9110 §14.1.1)
            }
            if (first >= size) {
                return new long[0];
            }
            return new long[] {first, Math.min(last, size - 1)};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
