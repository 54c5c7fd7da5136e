package io.ringpool.account;

/**
 * Who created something that sends or hands out callers' data without its creator's session (a
 * feed, a webhook): audit AM2 F10. A person's feeds are revoked when they may no longer manage the
 * site; lists show the creator so an owner can see what a leaving person set up.
 *
 * @param kind  the audit log's actor kind: {@code user}, {@code site_key} or {@code admin}
 * @param id    the user id or site id; null for the operator
 * @param label the person's e-mail, or the key's name, when it was made
 */
public record CreatedBy(String kind, String id, String label) {
    public static final String PERSON = "user";

    public static CreatedBy of(Caller caller) {
        return new CreatedBy(caller.kind(), caller.id(), caller.label());
    }

    /** As a JSON object's fields, for the lists that show it. */
    public java.util.Map<String, Object> view() {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("kind", kind);
        out.put("id", id);
        out.put("label", label);
        return out;
    }
}
