package io.ringpool.telephony.provider;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one log event of a value an adapter left out of a call it kept: a signed (or tokened)
 * provider's odd duration, time or link must not lose the call, since a refused webhook is retried
 * into the same refusal until the provider gives up. Stable name, {@code webhook_value_ignored},
 * and never the value itself (it may be a caller's number, or anything at all).
 */
public final class OddValues {
    private static final Logger LOG = LoggerFactory.getLogger(OddValues.class);

    private OddValues() {}

    /**
     * @param field  the provider's name of the field
     * @param reason what was wrong with it, in a few words
     */
    public static void ignored(String provider, WebhookCall call, String field, String reason) {
        LOG.warn("webhook_value_ignored provider={} site={} field={} reason={}", provider, call.site().siteId(), field, reason);
    }
}
