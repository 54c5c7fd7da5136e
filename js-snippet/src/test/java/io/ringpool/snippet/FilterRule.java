package io.ringpool.snippet;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One network rule of an Adblock Plus filter list (the syntax EasyList, EasyPrivacy, RU AdList and
 * AdGuard's lists share), enough of it to say whether a blocker would refuse one of the script's
 * requests. Written for this measurement, not as a blocker: it errs towards "blocked" where the
 * syntax is beyond it (an option it does not know leaves the rule applying), so a "not blocked" it
 * reports is worth more than a "blocked".
 *
 * <p>Pattern: {@code ||} anchors at the host or any of its parent domains, {@code |} at the start
 * or end of the URL, {@code ^} is a separator (anything but a letter, digit, {@code _ - . %}, or the
 * end), {@code *} any run of characters; {@code /…/} is a regular expression. Case-insensitive
 * unless {@code $match-case}. Options: request types (with {@code ~} to exclude), {@code
 * third-party}/{@code 3p}, {@code ~third-party}/{@code 1p}/{@code first-party}, {@code domain=} /
 * {@code from=} (the page's host), {@code to=} and {@code denyallow=} (the request's host).
 * Element hiding, scriptlets and rules that rewrite instead of refusing ({@code csp},
 * {@code removeparam}, {@code redirect-rule}, {@code badfilter}, …) are not network blocks and parse
 * to nothing.
 */
final class FilterRule {
    /** What a blocker knows of a request when it decides. */
    record Request(String url, String type, String pageUrl) {
        String host() {
            return hostOf(url);
        }

        String pageHost() {
            return hostOf(pageUrl);
        }

        /** Third-party by registrable domain, as blockers approximate it: the last two labels. */
        boolean thirdParty() {
            return !lastTwoLabels(host()).equals(lastTwoLabels(pageHost()));
        }
    }

    /** Request types of ABP and uBO (with their aliases), so that other options are told apart. */
    private static final Set<String> TYPES = Set.of("script", "xmlhttprequest", "xhr", "image", "stylesheet", "css",
            "subdocument", "frame", "object", "object-subrequest", "ping", "beacon", "media", "font", "websocket",
            "webrtc", "other", "document", "doc", "popup", "genericblock", "elemhide", "generichide",
            "inline-script", "inline-font", "fetch");
    /** Options after which a rule no longer refuses the request (it rewrites it, or it is a switch). */
    private static final Set<String> NOT_A_BLOCK = Set.of("csp", "removeparam", "queryprune", "redirect-rule",
            "badfilter", "rewrite", "replace", "cookie", "hls", "jsonprune", "permissions", "header", "urltransform",
            "stealth", "content", "extension", "jsinject", "urlblock", "generichide", "genericblock", "elemhide",
            "specifichide", "popup", "popunder", "document", "doc", "urlskip", "uritransform");

    final String text;
    final boolean exception;
    private final Pattern pattern;
    private final Set<String> types;
    private final Set<String> excludedTypes;
    private final Boolean thirdParty;
    private final List<String> pageDomains;
    private final List<String> notPageDomains;
    private final List<String> requestDomains;
    private final List<String> notRequestDomains;

    private FilterRule(String text, boolean exception, Pattern pattern, Set<String> types, Set<String> excludedTypes,
            Boolean thirdParty, List<String> pageDomains, List<String> notPageDomains, List<String> requestDomains,
            List<String> notRequestDomains) {
        this.text = text;
        this.exception = exception;
        this.pattern = pattern;
        this.types = types;
        this.excludedTypes = excludedTypes;
        this.thirdParty = thirdParty;
        this.pageDomains = pageDomains;
        this.notPageDomains = notPageDomains;
        this.requestDomains = requestDomains;
        this.notRequestDomains = notRequestDomains;
    }

    /** The network rule on {@code line}, or empty for comments, element hiding and non-blocking rules. */
    static Optional<FilterRule> parse(String line) {
        String text = line.strip();
        if (text.isEmpty() || text.startsWith("!") || text.startsWith("[") || isCosmetic(text)) {
            return Optional.empty();
        }
        boolean exception = text.startsWith("@@");
        String body = exception ? text.substring(2) : text;
        String options = "";
        int dollar = optionsStart(body);
        if (dollar >= 0) {
            options = body.substring(dollar + 1);
            body = body.substring(0, dollar);
        }
        boolean matchCase = false;
        Set<String> types = new java.util.HashSet<>();
        Set<String> excluded = new java.util.HashSet<>();
        Boolean thirdParty = null;
        List<String> pageDomains = new ArrayList<>();
        List<String> notPageDomains = new ArrayList<>();
        List<String> requestDomains = new ArrayList<>();
        List<String> notRequestDomains = new ArrayList<>();
        for (String option : options.isEmpty() ? new String[0] : options.split(",")) {
            String name = option.strip().toLowerCase(Locale.ROOT);
            String value = "";
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = option.strip().substring(eq + 1);
                name = name.substring(0, eq);
            }
            boolean negated = name.startsWith("~");
            String bare = negated ? name.substring(1) : name;
            if (NOT_A_BLOCK.contains(bare) && !negated) {
                return Optional.empty();
            }
            switch (bare) {
                case "third-party", "3p" -> thirdParty = !negated;
                case "first-party", "1p" -> thirdParty = negated;
                case "match-case" -> matchCase = true;
                case "domain", "from" -> splitDomains(value, pageDomains, notPageDomains);
                case "to" -> splitDomains(value, requestDomains, notRequestDomains);
                case "denyallow" -> splitDomains(value, notRequestDomains, new ArrayList<>());
                default -> {
                    if (TYPES.contains(bare)) {
                        (negated ? excluded : types).add(canonicalType(bare));
                    }
                    // anything else (important, redirect=, rewrite=, sitekey, …) leaves the rule applying
                }
            }
        }
        Pattern pattern = compile(body, matchCase);
        return Optional.of(new FilterRule(text, exception, pattern, Set.copyOf(types), Set.copyOf(excluded), thirdParty,
                List.copyOf(pageDomains), List.copyOf(notPageDomains), List.copyOf(requestDomains),
                List.copyOf(notRequestDomains)));
    }

    /** Whether the rule applies to {@code request} (for an exception: whether it would let it through). */
    boolean matches(Request request) {
        String type = canonicalType(request.type());
        if (!types.isEmpty() && !types.contains(type)) {
            return false;
        }
        if (excludedTypes.contains(type)) {
            return false;
        }
        if (thirdParty != null && thirdParty != request.thirdParty()) {
            return false;
        }
        if (!pageDomains.isEmpty() && !anyCovers(pageDomains, request.pageHost())) {
            return false;
        }
        if (anyCovers(notPageDomains, request.pageHost())) {
            return false;
        }
        if (!requestDomains.isEmpty() && !anyCovers(requestDomains, request.host())) {
            return false;
        }
        if (anyCovers(notRequestDomains, request.host())) {
            return false;
        }
        return pattern.matcher(request.url()).find();
    }

    /** Generic: not restricted to some sites (no positive {@code domain=}), as the brief of the lists says. */
    boolean generic() {
        return pageDomains.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }

    private static boolean isCosmetic(String text) {
        return text.contains("##") || text.contains("#@#") || text.contains("#?#") || text.contains("#$#")
                || text.contains("#%#") || text.contains("#@$#") || text.contains("#@%#") || text.contains("$$")
                || text.contains("#+js(") || text.contains("#@?#");
    }

    /**
     * Where the options start: the last {@code $} that is not inside a {@code /regex/} pattern.
     * A regex rule's own {@code $} (end anchor) sits before its closing slash.
     */
    private static int optionsStart(String body) {
        int dollar = body.lastIndexOf('$');
        if (dollar < 0) {
            return -1;
        }
        if (body.startsWith("/")) {
            int closing = body.lastIndexOf('/');
            if (closing > 0 && dollar < closing) {
                return -1;
            }
        }
        return dollar;
    }

    private static Pattern compile(String body, boolean matchCase) {
        int flags = matchCase ? 0 : Pattern.CASE_INSENSITIVE;
        if (body.length() > 2 && body.startsWith("/") && body.endsWith("/")) {
            try {
                return Pattern.compile(body.substring(1, body.length() - 1), flags);
            } catch (RuntimeException e) {
                // a JS-only construct: read it as the plain pattern ABP would fall back to
            }
        }
        StringBuilder regex = new StringBuilder();
        int i = 0;
        if (body.startsWith("||")) {
            // scheme, then the host or any parent domain of it
            regex.append("^[a-z][a-z0-9+.-]*://(?:[^/?#]*\\.)?");
            i = 2;
        } else if (body.startsWith("|")) {
            regex.append('^');
            i = 1;
        }
        boolean endAnchor = body.length() > i && body.endsWith("|");
        int end = endAnchor ? body.length() - 1 : body.length();
        for (; i < end; i++) {
            char c = body.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '^' -> regex.append("(?:[^\\w.%-]|$)");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (endAnchor) {
            regex.append('$');
        }
        return Pattern.compile(regex.toString(), flags);
    }

    private static void splitDomains(String value, List<String> positive, List<String> negative) {
        for (String d : value.split("\\|")) {
            String domain = d.strip().toLowerCase(Locale.ROOT);
            if (domain.startsWith("~")) {
                negative.add(domain.substring(1));
            } else if (!domain.isEmpty()) {
                positive.add(domain);
            }
        }
    }

    /** A domain covers itself and its subdomains; {@code example.*} covers any top-level domain. */
    private static boolean anyCovers(List<String> domains, String host) {
        for (String domain : domains) {
            if (domain.endsWith(".*")) {
                String stem = domain.substring(0, domain.length() - 1);
                if (host.startsWith(stem) || host.contains("." + stem)) {
                    return true;
                }
            } else if (host.equals(domain) || host.endsWith("." + domain)) {
                return true;
            }
        }
        return false;
    }

    private static String canonicalType(String type) {
        return switch (type) {
            case "xhr", "fetch" -> "xmlhttprequest";
            case "beacon" -> "ping";
            case "css" -> "stylesheet";
            case "frame" -> "subdocument";
            case "doc" -> "document";
            default -> type;
        };
    }

    private static String hostOf(String url) {
        String host = URI.create(url).getHost();
        return host == null ? "" : host.toLowerCase(Locale.ROOT);
    }

    private static String lastTwoLabels(String host) {
        String[] labels = host.split("\\.");
        return labels.length <= 2 ? host : labels[labels.length - 2] + "." + labels[labels.length - 1];
    }
}
