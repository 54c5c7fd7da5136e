package io.ringpool.http;

import io.ringpool.failure.DomainFailure;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reader of query strings. Every endpoint that takes query parameters names the ones it
 * knows, and reads each through a typed method here, so a date, a limit or a boolean means the
 * same on every route and every refusal follows the one rule of {@link DomainFailure.Kind}:
 * <ul>
 *   <li>a parameter the route does not know is {@code 400 unknown_parameter}: a typo
 *       ({@code frm=}) must not silently widen a report or a log;</li>
 *   <li>a known parameter with a value that cannot be used is {@code 422 invalid_value}, naming
 *       the parameter (a malformed date, a limit out of range, a parameter given twice).</li>
 * </ul>
 * An empty or blank value ({@code ?tag=}, {@code ?from=&to=}, {@code ?groupBy=source,}) is 422
 * naming the parameter, never read as absent: it is what a script sends when the variable it meant
 * to put there is unset, and answering the default (every call, the last 30 days) would answer
 * another question with nothing to tell it so (audit AG3 #5). Leaving the parameter out is how to
 * ask for the default. Values are trimmed. Lengths are in characters as people count them (code
 * points: an emoji is one), so a filter takes every value the API stores, such as a tag of 50
 * emoji. The domain never sees this class: endpoints turn what it reads into typed records.
 */
public final class QueryParameters {
    /** Longest value read as free text unless a method says otherwise; far above any real filter. */
    public static final int TEXT_MAX = 500;

    private static final Pattern OFFSET = Pattern.compile(".*[+-]\\d\\d:?\\d\\d$");
    /**
     * A time whose {@code +hh:mm} offset was sent unencoded: a query decodes {@code +} as a space,
     * and {@code curl "...?from=2026-11-26T00:00:00+03:00"} is what people type.
     */
    private static final Pattern OFFSET_SENT_AS_SPACE = Pattern.compile("(.*T[0-9:.]+) (\\d\\d:?\\d\\d)$");
    private static final String CURSOR_SEPARATOR = ":";

    private final Map<String, List<String>> query;

    private QueryParameters(Map<String, List<String>> query) {
        this.query = query;
    }

    /** The request's query string; 400 {@code unknown_parameter} for a name outside {@code known}. */
    public static QueryParameters of(Request request, Set<String> known) {
        return of(request.query(), known);
    }

    /**
     * For a route that takes no query parameters: any is a typo or a misunderstanding, and is 400
     * naming it (api.md: a parameter the route does not know is never silently ignored).
     */
    public static void none(Request request) {
        for (String name : request.query().keySet()) {
            throw new DomainFailure(DomainFailure.Kind.MALFORMED, "unknown_parameter", "unknown query parameter '" + name
                    + "'; this route takes none", name);
        }
    }

    public static QueryParameters of(Map<String, List<String>> query, Set<String> known) {
        for (String name : query.keySet()) {
            if (!known.contains(name)) {
                throw new DomainFailure(DomainFailure.Kind.MALFORMED, "unknown_parameter", "unknown query parameter '" + name
                        + "'; known: " + String.join(", ", new TreeSet<>(known)), name);
            }
        }
        return new QueryParameters(query);
    }

    /** Which end of a range a date stands for. */
    public enum Bound {
        /** A date is the start of that day. */
        START,
        /** A date is the end of that day (the start of the next), so {@code to=2026-11-26} includes the 26th. */
        END
    }

    /** The trimmed value, or null when absent; 422 when empty or blank, given twice or longer than {@link #TEXT_MAX}. */
    public String text(String name) {
        return text(name, TEXT_MAX);
    }

    public String text(String name, int maxLength) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw invalid(name, "'" + name + "' is given " + values.size() + " times; give it once");
        }
        String value = clean(name, values.get(0)).trim();
        if (value.isEmpty()) {
            throw empty(name);
        }
        if (value.codePointCount(0, value.length()) > maxLength) {
            throw invalid(name, "'" + name + "' is longer than " + maxLength + " characters");
        }
        return value;
    }

    /**
     * The trimmed value as {@link #text(String, int)} reads it, that must also be one line: no line
     * break or tab, even at its ends where trimming would hide it ({@link PlainText#requireOneLine}).
     */
    public String line(String name, int maxLength) {
        List<String> values = query.get(name);
        if (values != null && values.size() == 1) {
            PlainText.requireOneLine(values.get(0), name);
        }
        return text(name, maxLength);
    }

    /**
     * {@code value} when it holds text only; 422 naming the parameter for a control character or a
     * broken character ({@code %00}, {@code %01}). Trimming would otherwise drop such a character
     * unseen: {@code status=%00} read as no filter, {@code limit=1%00} as 1 (audit AB1 #5).
     */
    private static String clean(String name, String value) {
        return PlainText.requireClean(value, name);
    }

    /**
     * Every value of a parameter that may list several, in order and without repeats: given as
     * repeated parameters ({@code groupBy=source&groupBy=medium}), comma-separated
     * ({@code groupBy=source,medium}), or both. Empty when absent; 422 when a value or an item
     * is empty ({@code groupBy=}, {@code groupBy=source,}, {@code groupBy=source,,medium}).
     */
    public List<String> list(String name, int maxItems) {
        List<String> values = query.get(name);
        List<String> out = new ArrayList<>();
        if (values == null) {
            return out;
        }
        for (String value : values) {
            for (String part : clean(name, value).split(",", -1)) {
                String item = part.trim();
                if (item.isEmpty()) {
                    throw invalid(name, "'" + name + "' is empty or lists an empty value; give values, or leave the parameter out");
                }
                if (out.contains(item)) {
                    continue;
                }
                if (item.codePointCount(0, item.length()) > TEXT_MAX) {
                    throw invalid(name, "a value of '" + name + "' is longer than " + TEXT_MAX + " characters");
                }
                out.add(item);
            }
        }
        if (out.size() > maxItems) {
            throw invalid(name, "'" + name + "' lists more than " + maxItems + " values");
        }
        return out;
    }

    /** {@code true}/{@code 1}/{@code yes} or {@code false}/{@code 0}/{@code no} in any case; null when absent. */
    public Boolean bool(String name) {
        String v = text(name, 10);
        if (v == null) {
            return null;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw invalid(name, "'" + name + "' must be true or false");
        };
    }

    /** A whole number from {@code min} to {@code max}; {@code defaultValue} when absent. */
    public long integer(String name, long defaultValue, long min, long max) {
        String v = text(name, 20);
        if (v == null) {
            return defaultValue;
        }
        Long value;
        try {
            value = Long.parseLong(v);
        } catch (NumberFormatException e) {
            value = null;
        }
        if (value == null || value < min || value > max) {
            throw invalid(name, "'" + name + "' must be a whole number from " + min + " to " + max);
        }
        return value;
    }

    /** A page size: a whole number from 1 to {@code max}. */
    public int limit(String name, int defaultValue, int max) {
        return (int) integer(name, defaultValue, 1, max);
    }

    /**
     * One of a fixed set of words, matched without regard to case, or {@code defaultValue} when
     * absent. {@code choices} maps each accepted word to its value.
     */
    public <T> T choice(String name, Map<String, T> choices, T defaultValue) {
        String v = text(name, 100);
        if (v == null) {
            return defaultValue;
        }
        for (Map.Entry<String, T> choice : choices.entrySet()) {
            if (choice.getKey().equalsIgnoreCase(v)) {
                return choice.getValue();
            }
        }
        throw invalid(name, "'" + name + "' must be one of " + String.join(", ", choices.keySet()));
    }

    /** One of an enum's constants by its wire name ({@code wireName}, matched without regard to case). */
    public <E extends Enum<E>> E choice(String name, Class<E> type, Function<E, String> wireName, E defaultValue) {
        Map<String, E> choices = new LinkedHashMap<>();
        for (E constant : type.getEnumConstants()) {
            choices.put(wireName.apply(constant), constant);
        }
        return choice(name, choices, defaultValue);
    }

    /**
     * A point in time, null when absent. A date ({@code 2026-11-26}) is a day in {@code zone}, its
     * start or its end as {@code bound} says; a time with an offset ({@code 2026-11-26T03:15:00Z})
     * is that instant; a time without one is local to {@code zone} (api.md documents it: people and
     * spreadsheets write times that way, and clients already send them). Such a time in the hour
     * a fall-back repeats is the earlier of its two instants; one in a spring-forward gap is moved
     * on by the gap, as {@link java.time.LocalDateTime#atZone} does.
     */
    public Instant time(String name, ZoneId zone, Bound bound) {
        String t = text(name, 40);
        if (t == null) {
            return null;
        }
        Matcher spaced = OFFSET_SENT_AS_SPACE.matcher(t);
        if (spaced.matches()) {
            t = spaced.group(1) + '+' + spaced.group(2);
        }
        try {
            if (t.length() == 10) {
                LocalDate day = LocalDate.parse(t);
                return (bound == Bound.END ? day.plusDays(1) : day).atStartOfDay(zone).toInstant();
            }
            if (t.endsWith("Z") || OFFSET.matcher(t).matches()) {
                return OffsetDateTime.parse(t).toInstant();
            }
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw invalid(name, "'" + name + "' must be a date (2026-11-26) or an ISO-8601 time (2026-11-26T03:15:00Z; one without"
                    + " an offset is read in the site's time zone)");
        }
    }

    /** {@code from} inclusive and {@code to} exclusive, each null when absent. */
    public record Range(Instant from, Instant to) {}

    /**
     * The {@code from}/{@code to} pair every listing and report takes, read with {@link #time}
     * ({@code to} as an end, so a date includes that day); 422 on {@code to} when it is not after
     * {@code from}.
     */
    public Range range(ZoneId zone) {
        Instant from = time("from", zone, Bound.START);
        Instant to = time("to", zone, Bound.END);
        if (from != null && to != null && !from.isBefore(to)) {
            throw invalid("to", "'to' must be after 'from'");
        }
        return new Range(from, to);
    }

    /**
     * A position handed out with a previous page ({@link #cursor(String...)}), decoded into its
     * {@code parts} parts and turned into a value by {@code reader}; null when absent. Anything
     * this server did not give out (or a reader that throws {@link IllegalArgumentException} or
     * {@link DateTimeException}) is 422 on the parameter.
     */
    public <T> T cursor(String name, int parts, Function<List<String>, T> reader) {
        String v = text(name, 1_000);
        if (v == null) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(v), StandardCharsets.UTF_8);
            String[] split = raw.split(CURSOR_SEPARATOR, parts);
            if (split.length != parts) {
                throw new IllegalArgumentException("expected " + parts + " parts");
            }
            for (String part : split) {
                if (part.isEmpty()) {
                    throw new IllegalArgumentException("empty part");
                }
            }
            return reader.apply(List.of(split));
        } catch (IllegalArgumentException | DateTimeException e) {
            throw invalid(name, "'" + name + "' is not a cursor this server gave out; use nextCursor as it was returned");
        }
    }

    /**
     * Encodes a position for the next page: opaque to clients, URL-safe. Only the last part may
     * contain the separator ({@code :}).
     */
    public static String cursor(String... parts) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(String.join(CURSOR_SEPARATOR, parts).getBytes(StandardCharsets.UTF_8));
    }

    private static DomainFailure empty(String name) {
        return invalid(name, "'" + name + "' is empty; give a value, or leave the parameter out");
    }

    private static DomainFailure invalid(String name, String message) {
        return DomainFailure.invalid(name, message);
    }
}
