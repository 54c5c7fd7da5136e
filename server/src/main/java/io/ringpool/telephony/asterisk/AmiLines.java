package io.ringpool.telephony.asterisk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The lines of an AMI stream, read as AMI writes them: each ends with {@code \n} (after an optional
 * {@code \r}). Unlike {@link java.io.BufferedReader#readLine}, a lone {@code \r} inside a value
 * does not end the line (so it cannot fake the empty line that ends a packet), a line is bounded
 * ({@link #MAX_LINE_BYTES}; a longer one is skipped whole and reported as {@link #OVERLONG}), and
 * a read timeout in the middle of a line keeps what was read so far for the next call.
 */
final class AmiLines {

    /** Far longer than any AMI field (a long SIP header or channel variable is a few KB). */
    static final int MAX_LINE_BYTES = 64 * 1024;

    /** Stands for a line over {@link #MAX_LINE_BYTES}: compared by identity, has no colon, is not empty. */
    static final String OVERLONG = new String("(overlong line)");

    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private boolean overlong;

    AmiLines(InputStream in) {
        this.in = in;
    }

    /** The next line without its terminator, {@link #OVERLONG}, or null at the end of the stream (a partial last line is dropped). */
    String next() throws IOException {
        while (true) {
            if (position == limit) {
                int n = in.read(buffer);
                if (n < 0) {
                    return null;
                }
                position = 0;
                limit = n;
            }
            while (position < limit) {
                byte b = buffer[position++];
                if (b == '\n') {
                    return finish();
                }
                if (overlong) {
                    continue;
                }
                if (line.size() >= MAX_LINE_BYTES) {
                    overlong = true;
                    line.reset();
                    continue;
                }
                line.write(b);
            }
        }
    }

    private String finish() {
        if (overlong) {
            overlong = false;
            return OVERLONG;
        }
        byte[] bytes = line.toByteArray();
        line.reset();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
