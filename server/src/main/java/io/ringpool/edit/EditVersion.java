package io.ringpool.edit;

import io.ringpool.failure.DomainFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The version of what people edit on a call or a lead, written as an entity tag: one short hash
 * per part (a call's tags, value, review flag and note; a lead's tags, value and status), in a
 * fixed order, joined by dots. A PATCH that sends it back in {@code If-Match} is refused (412) when
 * a part it writes has changed since: two people editing from two open pages can no longer replace
 * each other's acknowledged edit without a word (audit AI4 F10).
 *
 * <p>Why hashes of the content and not a counter: {@code calls.revision} is raised by every provider
 * event, recording fetch and transcript (the ingestion's own optimistic check, {@code CallIngest}),
 * so a person editing a call that is still ringing would be refused for a change they cannot see,
 * and a new counter would need a migration on both stores. The content of the edited parts is
 * exactly what the person saw: a part that changed and changed back is as they saw it, and writing
 * over it loses nothing.
 *
 * <p>Why one hash per part: a request is checked only against the parts it writes, so a note
 * written from a page loaded before someone tagged the call is kept, and a refusal names the part
 * that moved.
 */
public final class EditVersion {
    /** Hex digits kept per part: 32 bits, so a changed part passes for unchanged once in four billion. */
    private static final int HEX_PER_PART = 8;
    private static final char SEPARATOR = '.';

    private final Map<String, String> hashes;

    private EditVersion(Map<String, String> hashes) {
        this.hashes = hashes;
    }

    /** The version of these parts, named in the order they are given (the same order every time for one kind of thing). */
    public static EditVersion of(Map<String, ?> parts) {
        Map<String, String> hashes = new LinkedHashMap<>();
        parts.forEach((name, value) -> hashes.put(name, hash(canonical(value))));
        return new EditVersion(hashes);
    }

    /** The tag as the JSON field {@code etag} carries it (the {@code ETag} header has it in quotes). */
    public String etag() {
        return String.join(String.valueOf(SEPARATOR), hashes.values());
    }

    /**
     * Refuses (412, {@code changed_since}) a request whose {@code If-Match} does not match this
     * version in every part it writes; passes when there is no {@code If-Match} (requests made
     * before it existed keep working) or it is {@code *}. {@code what} names the thing ("call").
     */
    public void check(String ifMatch, Collection<String> written, String what) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.strip().equals("*")) {
            return;
        }
        List<String> changed = null;
        for (String candidate : ifMatch.split(",")) {
            List<String> parts = parts(candidate);
            if (parts == null) {
                continue;
            }
            List<String> moved = new ArrayList<>();
            int i = 0;
            for (Map.Entry<String, String> part : hashes.entrySet()) {
                if (written.contains(part.getKey()) && !part.getValue().equals(parts.get(i))) {
                    moved.add(part.getKey());
                }
                i++;
            }
            if (moved.isEmpty()) {
                return;
            }
            changed = moved;
        }
        if (changed == null) {
            throw new DomainFailure(DomainFailure.Kind.PRECONDITION_FAILED, "changed_since",
                    "If-Match is not a version of this " + what + ": send the etag the " + what + " was read with", "If-Match");
        }
        throw new DomainFailure(DomainFailure.Kind.PRECONDITION_FAILED, "changed_since",
                "this " + what + "'s " + String.join(" and ", changed) + " changed since you read it (someone else edited it): "
                        + "nothing was saved; read the " + what + " again and repeat your change",
                changed.get(0));
    }

    /** One entity tag of an If-Match list as its part hashes, or null when it is not one of ours. */
    private List<String> parts(String candidate) {
        String tag = candidate.strip();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2); // If-Match compares strongly; a client that weakened our tag still means it
        }
        if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
            tag = tag.substring(1, tag.length() - 1);
        }
        List<String> parts = List.of(tag.split("\\" + SEPARATOR, -1));
        return parts.size() == hashes.size() ? parts : null;
    }

    /** Lists item by item, so ["a,b"] and ["a", "b"] differ; null unlike any text. */
    private static String canonical(Object value) {
        if (value == null) {
            return "\u0000";
        }
        if (value instanceof Collection<?> items) {
            StringBuilder out = new StringBuilder("[");
            for (Object item : items) {
                String text = String.valueOf(item);
                out.append(text.length()).append(':').append(text);
            }
            return out.toString();
        }
        return value.getClass().getSimpleName() + ":" + value;
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, HEX_PER_PART / 2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
