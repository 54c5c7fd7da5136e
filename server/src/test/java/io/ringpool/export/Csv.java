package io.ringpool.export;

import java.util.ArrayList;
import java.util.List;

/** A strict RFC 4180 reader for tests: CRLF records, quoted fields with doubled quotes. Written apart from CsvWriter. */
final class Csv {
    private Csv() {}

    static List<List<String>> parse(String text) {
        return parse(text, ',');
    }

    /** With another separator ({@code ;} for the conversion centre's file). */
    static List<List<String>> parse(String text, char separator) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        int i = 0;
        boolean quoted = false;
        boolean cellStarted = false;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i += 2;
                    continue;
                }
                if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
                i++;
                continue;
            }
            if (c == '"' && !cellStarted) {
                quoted = true;
                cellStarted = true;
            } else if (c == separator) {
                row.add(cell.toString());
                cell.setLength(0);
                cellStarted = false;
            } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                row.add(cell.toString());
                rows.add(row);
                row = new ArrayList<>();
                cell.setLength(0);
                cellStarted = false;
                i++;
            } else if (c == '\n' || c == '\r') {
                throw new IllegalArgumentException("bare line break at " + i);
            } else if (c == '"') {
                throw new IllegalArgumentException("quote inside an unquoted field at " + i);
            } else {
                cell.append(c);
                cellStarted = true;
            }
            i++;
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote");
        }
        if (cellStarted || !row.isEmpty()) {
            throw new IllegalArgumentException("last record lacks CRLF");
        }
        return rows;
    }
}
