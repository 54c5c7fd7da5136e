package io.ringpool.dashboard;

import io.ringpool.http.Request;
import io.ringpool.http.Response;
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
 * browser revalidates with a 304) and gzip when accepted — as {@code app.ScriptAsset} does for
 * the site script.
 */
final class StaticFile {
    private final String contentType;
    private final byte[] plain;
    private final byte[] gzipped;
    private final String etag;
    private final String cacheControl;

    StaticFile(String resource, String contentType, String cacheControl) {
        this.contentType = contentType;
        this.cacheControl = cacheControl;
        try (InputStream in = StaticFile.class.getResourceAsStream(resource)) {
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

    Response serve(Request request) {
        Map<String, String> headers = Map.of("ETag", etag, "Cache-Control", cacheControl, "Vary", "Accept-Encoding");
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
