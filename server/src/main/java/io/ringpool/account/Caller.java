package io.ringpool.account;

/** Who is asking, once their credentials were checked. */
public sealed interface Caller {

    /** {@code user}, {@code site_key} or {@code admin}: the audit log's actor kind. */
    String kind();

    /** The user id or site id, or null for the operator. */
    String id();

    /** A human-readable name for the audit log. */
    String label();

    /** The operator's admin key. */
    record Operator() implements Caller {
        public String kind() {
            return "admin";
        }

        public String id() {
            return null;
        }

        public String label() {
            return "operator (admin key)";
        }
    }

    /** A site's API key: a machine acting for that one site. */
    record SiteKey(String siteId) implements Caller {
        public String kind() {
            return "site_key";
        }

        public String id() {
            return siteId;
        }

        public String label() {
            return "site key of " + siteId;
        }
    }

    /** A signed-in person. */
    record Member(User user, UserSession session) implements Caller {
        public String kind() {
            return "user";
        }

        public String id() {
            return user.userId();
        }

        public String label() {
            return user.email();
        }
    }
}
