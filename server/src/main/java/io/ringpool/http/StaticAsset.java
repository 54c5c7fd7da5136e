package io.ringpool.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * One file from the classpath, read and compressed once at start, served with gzip when the
 * client accepts it and an ETag per representation (so a browser or a cache revalidates with a
 * 304). Serves the site script at /s.js and the dashboard's files.
 *
 * <p>The plain and the gzip bytes are two representations of one resource (RFC 9110 §8.8.3): each
 * has its own strong ETag ({@code "<hash>"} and {@code "<hash>-gzip"}), and both carry
 * {@code Vary: Accept-Encoding}. A cache that holds both asks with both tags in one
 * {@code If-None-Match}, and the answer's ETag tells it which one to serve.
 */
public final class StaticAsset {
    private final String contentType;
    private final Representation plain;
    private final Representation gzipped;

    /** One encoding's bytes, ETag and headers (a 304 carries the same headers less {@code Content-Encoding}). */
    private record Representation(byte[] body, String etag, Map<String, String> headers, Map<String, String> notModifiedHeaders) {}

    public StaticAsset(String resource, String contentType, String cacheControl) {
        this(resource, contentType, cacheControl, Map.of());
    }

    /** With {@code extraHeaders} added to every answer. */
    public StaticAsset(String resource, String contentType, String cacheControl, Map<String, String> extraHeaders) {
        this.contentType = contentType;
        try (InputStream in = StaticAsset.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            byte[] bytes = in.readAllBytes();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            // Compressed once, so at the best level: the script's budget is counted gzipped at level
            // 9 (ScriptSizeTest), and the default level 6 served it 2 bytes over (session 44).
            try (GZIPOutputStream gz = new GZIPOutputStream(out) {
                {
                    def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
                }
            }) {
                gz.write(bytes);
            }
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
            this.plain = representation(bytes, "\"" + hash + "\"", null, cacheControl, extraHeaders);
            this.gzipped = representation(out.toByteArray(), "\"" + hash + "-gzip\"", "gzip", cacheControl, extraHeaders);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Representation representation(byte[] body, String etag, String encoding, String cacheControl,
            Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
        headers.put("ETag", etag);
        headers.put("Cache-Control", cacheControl);
        headers.put("Vary", "Accept-Encoding");
        Map<String, String> notModified = Map.copyOf(headers);
        if (encoding != null) {
            headers.put("Content-Encoding", encoding);
        }
        return new Representation(body, etag, Map.copyOf(headers), notModified);
    }

    public int gzippedSize() {
        return gzipped.body().length;
    }

    public Response serve(Request request) {
        Representation chosen = prefersGzip(request.header("accept-encoding")) ? gzipped : plain;
        if (notModified(request.header("if-none-match"), chosen.etag())) {
            return new Response(304, null, new byte[0], chosen.notModifiedHeaders());
        }
        return new Response(200, contentType, chosen.body(), chosen.headers());
    }

    /**
     * Whether to send gzip, by RFC 9110 §12.5.3: gzip (or {@code x-gzip}, or {@code *} when gzip is
     * not named) with a quality above 0 and not below identity's. Identity is acceptable unless
     * excluded ({@code identity;q=0}, or {@code *;q=0} without naming it), so
     * {@code gzip;q=0, identity} and {@code gzip;q=0.5, identity} get the plain bytes. When both are
     * excluded the plain bytes are sent anyway (a 406 would help no browser).
     */
    static boolean prefersGzip(String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.isBlank()) {
            return false;
        }
        double gzip = -1;
        double identity = -1;
        double any = -1;
        for (String item : acceptEncoding.split(",")) {
            String[] parts = item.split(";");
            String coding = parts[0].strip().toLowerCase(Locale.ROOT);
            double q = quality(parts);
            switch (coding) {
                case "gzip", "x-gzip" -> gzip = Math.max(gzip, q);
                case "identity" -> identity = Math.max(identity, q);
                case "*" -> any = Math.max(any, q);
                default -> { }
            }
        }
        double gzipQuality = gzip >= 0 ? gzip : Math.max(any, 0);
        double identityQuality = identity >= 0 ? identity : any >= 0 ? any : 1;
        return gzipQuality > 0 && gzipQuality >= identityQuality;
    }

    /** The {@code q} parameter of one Accept-Encoding item: 1 when absent, 0 when unreadable (refused rather than guessed). */
    private static double quality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            if (parameter.length() >= 2 && parameter.regionMatches(true, 0, "q=", 0, 2)) {
                try {
                    double q = Double.parseDouble(parameter.substring(2).strip());
                    return q >= 0 && q <= 1 ? q : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }

    /**
     * Whether {@code If-None-Match} names the chosen representation (RFC 9110 §13.1.2): {@code *}
     * matches the one we have; otherwise any listed tag equal to its ETag, compared weakly
     * ({@code W/} ignored).
     */
    static boolean notModified(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String listed : ifNoneMatch.split(",")) {
            String tag = listed.strip();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
