package io.ringpool.edit;

import io.ringpool.failure.DomainFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tags added and removed, applied to the tags as stored inside the writing transaction: a click
 * on one tag needs no read-modify-write of the whole list, so it cannot drop a tag someone else
 * added meanwhile (audit AI4 F10). Tags compare in any case, as the log's tag filter does: adding
 * "lead" to a call tagged "Lead" keeps "Lead", and removing "lead" removes it.
 *
 * @param add    tags to add at the end, those already there left as they are; empty for none
 * @param remove tags to remove, those not there ignored; empty for none
 */
public record TagChange(List<String> add, List<String> remove) {

    public TagChange {
        add = add == null ? List.of() : List.copyOf(add);
        remove = remove == null ? List.of() : List.copyOf(remove);
    }

    public boolean isEmpty() {
        return add.isEmpty() && remove.isEmpty();
    }

    /** The tags after the change; 422 on {@code addTags} when the result would hold more than {@code maxTags}. */
    public List<String> applyTo(List<String> current, int maxTags, String what) {
        List<String> out = new ArrayList<>();
        for (String tag : current) {
            if (!contains(remove, tag)) {
                out.add(tag);
            }
        }
        for (String tag : add) {
            if (!contains(out, tag) && !contains(remove, tag)) {
                out.add(tag);
            }
        }
        if (out.size() > maxTags && out.size() > current.size()) {
            throw DomainFailure.invalid("addTags", "the " + what + " would have " + out.size() + " tags; it may have at most "
                    + maxTags + ": remove some first");
        }
        return List.copyOf(out);
    }

    private static boolean contains(List<String> tags, String tag) {
        String key = tag.toLowerCase(Locale.ROOT);
        return tags.stream().anyMatch(t -> t.toLowerCase(Locale.ROOT).equals(key));
    }
}
