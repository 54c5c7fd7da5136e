package io.ringpool.snippet;

/** One browser profile (shared storage, several tabs), as the contract tests need it. */
interface Browser extends AutoCloseable {
    /** Opens {@code url} in a new tab of this profile and returns once the page has loaded. */
    Tab open(String url) throws Exception;

    /** Closes every tab and forgets storage and cookies: the next page is a new visitor's. */
    void reset() throws Exception;

    /** Script errors the pages reported (uncaught), if the engine lets us see them. */
    java.util.List<String> scriptErrors();

    interface Tab {
        /** Runs {@code body} (a function body with {@code return}) in the page; strings, numbers, booleans or null. */
        Object js(String body);

        /** Loads another page in this tab. */
        void navigate(String url) throws Exception;

        default String text(String body) {
            Object v = js(body);
            return v == null ? null : v.toString();
        }
    }
}
