package io.ringpool.feed;

/**
 * Who created a feed (audit AM2 F10): its username and password work without anyone's session,
 * so the feeds a person made are revoked when they may no longer manage the site.
 *
 * @param kind  the audit log's actor kind: {@code user}, {@code site_key} or {@code admin}
 * @param id    the user id or site id; null for the operator
 * @param label the person's e-mail, or the key's name, when the feed was made
 */
public record FeedCreator(String kind, String id, String label) {
    public static final String PERSON = "user";

    public boolean isPerson(String userId) {
        return PERSON.equals(kind) && userId.equals(id);
    }
}
