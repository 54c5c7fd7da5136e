package io.ringpool.telephony.provider;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;

/**
 * A provider's wall-clock time without an offset, {@code yyyy-MM-dd HH:mm:ss}, as UIS, Zadarma and
 * Plivo write it, with the fraction of a second some of them add ({@code 2019-12-16 14:40:47.234}:
 * UIS fills {@code {{notification_time}}} so) and a {@code T} in place of the space. One reader
 * for every provider, so a fraction is never the reason a call is dated at receipt instead of its
 * own time (audit AN3 F1). The zone is the caller's to apply.
 */
public final class WallClockTime {
    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .toFormatter().withResolverStyle(ResolverStyle.STRICT);

    private WallClockTime() {}

    /**
     * The local date-time {@code text} names (surrounding blanks ignored).
     *
     * @throws java.time.DateTimeException when it is not that shape or no such time (30 February, hour 24)
     */
    public static LocalDateTime parse(String text) {
        String s = text.strip();
        if (s.length() > 10 && s.charAt(10) == 'T') {
            s = s.substring(0, 10) + ' ' + s.substring(11);
        }
        return LocalDateTime.parse(s, FORMAT);
    }
}
