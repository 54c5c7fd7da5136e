package io.ringpool.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Writes CSV as RFC 4180 says (comma separated, CRLF line ends, a field quoted when it holds a
 * comma, quote, CR or LF, quotes doubled), in UTF-8, row by row to a stream.
 *
 * <p>Formula injection: a spreadsheet runs a cell that starts with {@code = + - @}, tab or CR as a
 * formula ({@code =HYPERLINK(...)} leaks data when clicked). Free text — anything a visitor, a
 * provider or a marketer typed: click ids, client ids, tags, URLs, conversion names — goes through
 * {@link #text}, which prefixes such a cell with an apostrophe (OWASP's advice). Phone numbers go
 * through {@link #phone}: a real E.164 number keeps its leading {@code +} (Google and Yandex want
 * it), anything else is treated as text. {@link #value} is for what we format ourselves (times,
 * numbers, hashes) and is only quoted.
 */
public final class CsvWriter implements AutoCloseable {
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{1,14}");

    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+\\.[0-9]+");

    private final Writer out;
    private final char separator;
    private final char decimalMark;
    private boolean rowStarted;

    public CsvWriter(OutputStream stream) {
        this(stream, ',');
    }

    /** With another separator: Yandex's conversion centre reads semicolon-separated files. */
    public CsvWriter(OutputStream stream, char separator) {
        this(stream, separator, '.');
    }

    /** With another separator and decimal mark: a spreadsheet in a locale that writes 1500,5 ({@link #number}). */
    public CsvWriter(OutputStream stream, char separator, char decimalMark) {
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 16 * 1024);
        this.separator = separator;
        this.decimalMark = decimalMark;
    }

    /** A number we formatted ({@code 1500.5}), written with this file's decimal mark; anything else as {@link #value}. */
    public CsvWriter number(String v) throws IOException {
        return cell(decimalMark != '.' && v != null && DECIMAL.matcher(v).matches() ? v.replace('.', decimalMark) : v);
    }

    /** A line written as is (Google's {@code Parameters:TimeZone=...}); the caller vouches for its content. */
    public void rawLine(String line) throws IOException {
        out.write(line);
        out.write("\r\n");
    }

    public CsvWriter header(String... names) throws IOException {
        for (String n : names) {
            value(n);
        }
        return endRow();
    }

    public CsvWriter text(String v) throws IOException {
        return cell(neutralise(v));
    }

    public CsvWriter phone(String v) throws IOException {
        return v != null && E164.matcher(v).matches() ? cell(v) : text(v);
    }

    public CsvWriter value(String v) throws IOException {
        return cell(v);
    }

    public CsvWriter endRow() throws IOException {
        out.write("\r\n");
        rowStarted = false;
        return this;
    }

    static String neutralise(String v) {
        if (v == null || v.isEmpty()) {
            return v;
        }
        char c = v.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + v : v;
    }

    static String quote(String v) {
        return quote(v, ',');
    }

    static String quote(String v, char separator) {
        if (v == null) {
            return "";
        }
        boolean needs = false;
        for (int i = 0; i < v.length() && !needs; i++) {
            char c = v.charAt(i);
            // ';' too, whatever the separator: Excel in a Russian (or German, French…) locale opens a
            // .csv with ';' as its list separator, and text after a bare ';' became a cell of its
            // own, a formula when it began with '=' (audit AM2 F3).
            needs = c == separator || c == ',' || c == ';' || c == '"' || c == '\r' || c == '\n';
        }
        return needs ? '"' + v.replace("\"", "\"\"") + '"' : v;
    }

    private CsvWriter cell(String v) throws IOException {
        if (rowStarted) {
            out.write(separator);
        }
        out.write(quote(v, separator));
        rowStarted = true;
        return this;
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
