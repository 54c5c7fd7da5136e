package io.ringpool.visit;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * URLs a browser would run rather than open: {@code javascript:}, {@code vbscript:} and
 * {@code data:}. The site script only ever sends {@code location.href} and
 * {@code document.referrer}, so such a value in a landing page, referrer or lead URL is someone
 * else's making; kept, it would go out in webhooks and exports to CRMs that render links. They are
 * dropped as if absent. Other schemes stay: {@code android-app://} is a real referrer (apps such as
 * Gmail and the Google app send it).
 */
public final class ActiveUrls {
    /** The scheme as browsers read it: leading spaces and control characters ignored, tabs and newlines inside it too. */
    private static final Pattern IGNORED = Pattern.compile("[\\x00-\\x20]+");

    private ActiveUrls() {}

    /** {@code url}, or null when it is absent or a URL a browser would run. */
    public static String inert(String url) {
        if (url == null) {
            return null;
        }
        int colon = url.indexOf(':');
        if (colon < 0 || colon > 40) {
            return url;
        }
        String scheme = IGNORED.matcher(url.substring(0, colon)).replaceAll("").toLowerCase(Locale.ROOT);
        return scheme.equals("javascript") || scheme.equals("vbscript") || scheme.equals("data") ? null : url;
    }
}
