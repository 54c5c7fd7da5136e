package io.ringpool.app;

import io.ringpool.http.Request;
import io.ringpool.http.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Serves the site script from the jar at {@code /s.js}: compressed once at start, with a strong
 * ETag so browsers revalidate cheaply, cached for an hour (the script changes only with the server).
 */
public final class ScriptAsset {
    private final byte[] plain;
    private final byte[] gzipped;
    private final String etag;

    public ScriptAsset(String resource) {
        try (InputStream in = ScriptAsset.class.getResourceAsStream(resource)) {
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
        Map<String, String> headers = Map.of(
                "ETag", etag,
                "Cache-Control", "public, max-age=3600",
                "Vary", "Accept-Encoding",
                "Access-Control-Allow-Origin", "*");
        String ifNoneMatch = request.header("if-none-match");
        if (ifNoneMatch != null && ifNoneMatch.contains(etag)) {
            return new Response(304, null, new byte[0], headers);
        }
        String accept = request.header("accept-encoding");
        boolean gzip = accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("gzip");
        Response r = new Response(200, "application/javascript; charset=utf-8", gzip ? gzipped : plain, headers);
        return gzip ? r.withHeader("Content-Encoding", "gzip") : r;
    }
}
