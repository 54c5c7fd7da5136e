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

    /**
     * 422 when an edit sends both a whole list and changes to the stored one: which would win is
     * not obvious, so neither is guessed. Calls and leads share this rule and its wording.
     */
    public void rejectAlongside(List<String> wholeList) {
        if (wholeList != null && !isEmpty()) {
            throw DomainFailure.invalid(add.isEmpty() ? "removeTags" : "addTags",
                    "send either 'tags' (the whole list) or 'addTags'/'removeTags' (changes to the stored list), not both");
        }
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
