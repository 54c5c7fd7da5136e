package io.ringpool.export;

import java.util.List;

/**
 * A call's tags as one text cell (Yandex Metrica's {@code Tag} column, which takes one label):
 * comma-separated, as before, but a tag that holds a comma, a double quote or a line break is
 * written in double quotes with its quotes doubled, as RFC 4180 writes a field. So
 * {@code ["lead", "sofa, big"]} is {@code lead,"sofa, big"} and the list can be read back (a CSV
 * reader splits the cell again), while the tags people actually use read as before.
 */
public final class TagList {

    private TagList() {}

    public static String cell(List<String> tags) {
        StringBuilder out = new StringBuilder();
        for (String tag : tags) {
            if (!out.isEmpty()) {
                out.append(',');
            }
            if (tag.indexOf(',') >= 0 || tag.indexOf('"') >= 0 || tag.indexOf('\n') >= 0 || tag.indexOf('\r') >= 0) {
                out.append('"').append(tag.replace("\"", "\"\"")).append('"');
            } else {
                out.append(tag);
            }
        }
        return out.toString();
    }
}
