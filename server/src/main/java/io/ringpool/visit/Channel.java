package io.ringpool.visit;

import java.util.Locale;

/**
 * The marketing channel of a visit, decided by {@link TrafficSourceParser} from the landing URL
 * and the referrer (PRODUCT.md §2 "Channel"). The declaration order is not the order in which the
 * rules are tried (that is paid, email, social, organic, referral, direct and lives in the parser);
 * do not rely on {@link #ordinal()}, and never store it.
 *
 * <p>On the wire (JSON, pool rules, reports) a channel is its lowercase name, see {@link #wireName()}.
 */
public enum Channel {
    /** A click id (gclid, yclid, …) or a paid {@code utm_medium} (cpc, cpm, display, …). */
    PAID,
    /** A search engine's results page, without UTM tags. */
    ORGANIC,
    /** {@code utm_medium=social} or a referrer from a social network. */
    SOCIAL,
    /** Another site linked here, or a tagged link that fits no other rule. */
    REFERRAL,
    /** {@code utm_medium} email or newsletter. */
    EMAIL,
    /** Nothing known: typed URL, bookmark, an app that sends no referrer. */
    DIRECT;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The lowercase name used in JSON, pool rules and reports, e.g. {@code "paid"}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The channel with this wire name, ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException if the name is null or names no channel; the message quotes
     *     the name and lists the valid ones, so a bad pool rule in configuration is easy to fix
     */
    public static Channel fromWire(String name) {
        if (name != null) {
            String wanted = name.strip();
            for (Channel channel : values()) {
                if (channel.wireName.equalsIgnoreCase(wanted)) {
                    return channel;
                }
            }
        }
        throw new IllegalArgumentException(
                "unknown channel '" + name + "'; expected one of paid, organic, social, referral, email, direct");
    }
}
