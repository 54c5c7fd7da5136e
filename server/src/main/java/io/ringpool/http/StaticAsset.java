package io.ringpool.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * One file from the classpath, read and compressed once at start, served with a strong ETag (so a
 * browser revalidates with a 304) and gzip when accepted. Serves the site script at /s.js and the
 * dashboard's files.
 */
public final class StaticAsset {
    private final String contentType;
    private final byte[] plain;
    private final byte[] gzipped;
    private final String etag;
    private final Map<String, String> headers;

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
            this.plain = in.readAllBytes();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(plain);
            }
            this.gzipped = out.toByteArray();
            this.etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain), 0, 8) + "\"";
            Map<String, String> all = new java.util.LinkedHashMap<>(extraHeaders);
            all.put("ETag", etag);
            all.put("Cache-Control", cacheControl);
            all.put("Vary", "Accept-Encoding");
            this.headers = Map.copyOf(all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public int gzippedSize() {
        return gzipped.length;
    }

    public Response serve(Request request) {
        String ifNoneMatch = request.header("if-none-match");
        if (ifNoneMatch != null && ifNoneMatch.contains(etag)) {
            return new Response(304, null, new byte[0], headers);
        }
        String accept = request.header("accept-encoding");
        boolean gzip = accept != null && accept.toLowerCase(Locale.ROOT).contains("gzip");
        Response r = new Response(200, contentType, gzip ? gzipped : plain, headers);
        return gzip ? r.withHeader("Content-Encoding", "gzip") : r;
    }
}
