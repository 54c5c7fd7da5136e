package io.ringpool.telephony.provider;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last webhooks each site received per provider, accepted or not, with the reason of every
 * refusal: what an operator looks at when "calls do not show up" ({@code GET
 * /v1/sites/{siteId}/telephony/events}).
 *
 * <p>In memory only, per node, the last {@link #PER_PROVIDER} per (site, provider): a diagnostic
 * aid, not an audit log; it is empty after a restart. Caller numbers are stored masked.
 */
public final class WebhookLog {

    /** Entries kept per (site, provider): enough to see a whole call and a few refusals. */
    static final int PER_PROVIDER = 50;

    /** Sites with more providers than this are not plausible; bounds memory per site. */
    static final int MAX_PROVIDERS_PER_SITE = 32;

    /**
     * One received webhook.
     *
     * @param outcome        {@code accepted}, {@code ignored} (authenticated, nothing to record) or {@code refused}
     * @param reason         why refused ({@link WebhookRefused#reason()}, {@code unknown_number}, {@code store_unavailable}...), or null
     * @param message        the refusal's message or the handler's note, or null
     * @param providerCallId the provider's call id, when the request got that far
     * @param events         the kinds ingested ({@code ringing}, ...)
     * @param callId         Ringpool's call id once the call exists
     * @param caller         masked caller
     */
    public record Entry(Instant at, String provider, String route, String outcome, String reason, String message,
            String providerCallId, List<String> events, String callId, String caller) {}

    private final Map<String, Map<String, Deque<Entry>>> bySite = new ConcurrentHashMap<>();

    public void add(String siteId, Entry entry) {
        Map<String, Deque<Entry>> site = bySite.computeIfAbsent(siteId, k -> new ConcurrentHashMap<>());
        if (!site.containsKey(entry.provider()) && site.size() >= MAX_PROVIDERS_PER_SITE) {
            return;
        }
        Deque<Entry> log = site.computeIfAbsent(entry.provider(), k -> new ArrayDeque<>());
        synchronized (log) {
            log.addFirst(entry);
            while (log.size() > PER_PROVIDER) {
                log.removeLast();
            }
        }
    }

    /** Newest first; {@code provider} null for all providers. */
    public List<Entry> recent(String siteId, String provider) {
        Map<String, Deque<Entry>> site = bySite.getOrDefault(siteId, Map.of());
        List<Entry> out = new ArrayList<>();
        site.forEach((p, log) -> {
            if (provider == null || provider.equals(p)) {
                synchronized (log) {
                    out.addAll(log);
                }
            }
        });
        out.sort((a, b) -> b.at().compareTo(a.at()));
        return out;
    }
}
