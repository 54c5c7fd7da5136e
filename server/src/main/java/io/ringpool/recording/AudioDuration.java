package io.ringpool.recording;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A recording's length read from its own header, where the format says it: WAV (RIFF: the data
 * chunk's size over the fmt chunk's byte rate, exact) and MP3 (the first frame's bit rate over the
 * audio bytes, exact for constant bit rate, which is what telephony providers produce). Null when
 * the format is another or the header unreadable; the provider's or the call's talk time is used then.
 */
final class AudioDuration {
    private static final int HEADER_BYTES = 64 * 1024;
    /** MPEG-1 Layer III bit rates by index, kbit/s. */
    private static final int[] MPEG1_L3 = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0};
    /** MPEG-2/2.5 Layer III bit rates by index, kbit/s (8 kHz telephony MP3s are MPEG-2.5). */
    private static final int[] MPEG2_L3 = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0};

    private AudioDuration() {}

    static Integer seconds(Path file, long size) {
        byte[] h;
        try (InputStream in = Files.newInputStream(file)) {
            h = in.readNBytes(HEADER_BYTES);
        } catch (IOException e) {
            return null;
        }
        if (h.length >= 12 && ascii(h, 0, "RIFF") && ascii(h, 8, "WAVE")) {
            return wav(h);
        }
        return mp3(h, size);
    }

    private static Integer wav(byte[] h) {
        long byteRate = -1;
        int pos = 12;
        while (pos + 8 <= h.length) {
            long chunkSize = le32(h, pos + 4);
            if (ascii(h, pos, "fmt ") && pos + 16 <= h.length) {
                byteRate = le32(h, pos + 8 + 8);
            } else if (ascii(h, pos, "data")) {
                return byteRate > 0 ? (int) Math.round((double) chunkSize / byteRate) : null;
            }
            pos += 8 + (int) chunkSize + (int) (chunkSize & 1);
        }
        return null;
    }

    private static Integer mp3(byte[] h, long size) {
        int pos = 0;
        if (h.length >= 10 && ascii(h, 0, "ID3")) {
            pos = 10 + ((h[6] & 0x7f) << 21 | (h[7] & 0x7f) << 14 | (h[8] & 0x7f) << 7 | (h[9] & 0x7f));
        }
        for (; pos + 4 <= h.length; pos++) {
            if ((h[pos] & 0xff) == 0xff && (h[pos + 1] & 0xe0) == 0xe0) {
                int version = (h[pos + 1] >> 3) & 0x3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
                int layer = (h[pos + 1] >> 1) & 0x3;   // 1 = Layer III
                int index = (h[pos + 2] >> 4) & 0xf;
                if (layer != 1 || version == 1 || index == 0 || index == 15) {
                    continue;
                }
                int kbps = version == 3 ? MPEG1_L3[index] : MPEG2_L3[index];
                return (int) Math.round((size - pos) * 8.0 / (kbps * 1000.0));
            }
        }
        return null;
    }

    private static boolean ascii(byte[] b, int at, String s) {
        if (at + s.length() > b.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static long le32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }
}
