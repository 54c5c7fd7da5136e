package io.ringpool.telephony.asterisk;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.call.CallEvent;
import io.ringpool.call.CallService;
import io.ringpool.journal.CallJournal;
import io.ringpool.outbound.AddressPolicy;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.telephony.provider.ProviderSettings;
import io.ringpool.telephony.provider.ProviderSettingsService;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link AmiConnection} per site with Asterisk settings: started at boot, restarted when the
 * settings change, closed when they are removed or the server stops. Exposes each connection's
 * state for {@code /health} and the gauge {@code ringpool_asterisk_connected{site}} (1 connected, 0 not).
 */
public final class AsteriskConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AsteriskConnections.class);

    /** First wait before reconnecting; doubles per failure up to {@link AmiConnection#MAX_BACKOFF}. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);

    private final ProviderSettingsService settings;
    private final SiteRegistry sites;
    private final CallService calls;
    private final CallJournal journal;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Duration initialBackoff;
    private final Map<String, AmiConnection> bySite = new ConcurrentHashMap<>();
    /** Checked for the very address each connection is opened to (a PBX name may resolve elsewhere later). */
    private final AddressPolicy policy;

    /** @param journal where the calls' events go first (fsynced), reaching the store when it can take them, as webhooks' do */
    public AsteriskConnections(ProviderSettingsService settings, SiteRegistry sites, CallService calls, CallJournal journal, Clock clock,
            MeterRegistry registry, Duration initialBackoff, AddressPolicy policy) {
        this.policy = policy;
        this.settings = settings;
        this.sites = sites;
        this.calls = calls;
        this.journal = journal;
        this.clock = clock;
        this.registry = registry;
        this.initialBackoff = initialBackoff;
    }

    /** Connects every configured site, and follows settings changes from now on. */
    public void start() {
        settings.onChange((siteId, provider) -> {
            if (AsteriskProvider.NAME.equals(provider)) {
                restart(siteId);
            }
        });
        settings.all(AsteriskProvider.NAME).keySet().forEach(this::restart);
    }

    private synchronized void restart(String siteId) {
        AmiConnection old = bySite.remove(siteId);
        if (old != null) {
            old.close();
        }
        ProviderSettings s = settings.settings(siteId, AsteriskProvider.NAME).orElse(null);
        if (s == null || sites.byId(siteId).isEmpty()) {
            return;
        }
        int port = Integer.parseInt(s.getOrDefault("port", Integer.toString(AsteriskProvider.DEFAULT_PORT)));
        AmiConnection c = new AmiConnection(siteId, s.get("host"), port, s.get("username"), s.get("secret"), initialBackoff,
                number -> tracks(siteId, number),
                event -> keep(siteId, event), clock, policy);
        bySite.put(siteId, c);
        Gauge.builder("ringpool.asterisk.connected", this, self -> self.connected(siteId))
                .description("1 while the site's AMI connection is logged in, 0 otherwise").tag("site", siteId).register(registry);
        c.start();
    }

    private void keep(String siteId, CallEvent event) {
        sites.byId(siteId).ifPresent(e -> {
            if (journal.record(e.site(), event) == CallJournal.Kept.FULL) {
                // AMI cannot be asked to send it again: counted by the journal (ringpool_journal_full) and logged there.
                LOG.warn("ami_event_not_kept site={} kind={} reason=journal_full", siteId, event.kind().wireName());
            }
        });
    }

    private boolean tracks(String siteId, String number) {
        Site site = sites.byId(siteId).map(e -> e.site()).orElse(null);
        if (site == null) {
            return false;
        }
        try {
            calls.trackingNumber(site, number);
            return true;
        } catch (RuntimeException notOurs) {
            return false;
        }
    }

    private double connected(String siteId) {
        AmiConnection c = bySite.get(siteId);
        return c != null && c.state() == AmiConnection.State.CONNECTED ? 1 : 0;
    }

    /** {@code {siteId: {"state": "connected", "since": ...}}} for /health. */
    public Map<String, Object> states() {
        Map<String, Object> out = new TreeMap<>();
        bySite.forEach((site, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("state", c.state().name().toLowerCase(java.util.Locale.ROOT));
            m.put("since", c.since().toString());
            out.put(site, m);
        });
        return out;
    }

    @Override
    public synchronized void close() {
        bySite.values().forEach(AmiConnection::close);
        bySite.clear();
    }
}
