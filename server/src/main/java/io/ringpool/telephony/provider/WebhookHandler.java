package io.ringpool.telephony.provider;

/**
 * Handles one webhook call. Runs on a worker thread; may not block on the network. Throws
 * {@link WebhookRefused} for a request it does not accept (nothing is stored then), and returns
 * the events to ingest and the reply otherwise.
 */
@FunctionalInterface
public interface WebhookHandler {
    WebhookResult handle(WebhookCall call);
}
