package io.ringpool.app;

import io.ringpool.config.RingpoolConfig;
import io.ringpool.security.ScriptLimits;
import io.ringpool.session.SessionCaps;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;

/**
 * The site script's budgets as the configuration gives them: how many requests of each kind a
 * session and a client address may make ({@link ScriptLimits}, shared by the session and lead
 * routes), and how much of a session is stored ({@link SessionCaps}). Read once, by the start.
 */
final class ScriptBudgets {
    private ScriptBudgets() {
    }

    static ScriptLimits limits(RingpoolConfig config, Clock clock) {
        RingpoolConfig.Limits l = config.limits();
        Map<ScriptLimits.Kind, ScriptLimits.Budget> budgets = new EnumMap<>(ScriptLimits.Kind.class);
        budgets.put(ScriptLimits.Kind.START, new ScriptLimits.Budget(0, config.leasing().sessionsPerIpPerMinute()));
        budgets.put(ScriptLimits.Kind.PAGEVIEW, new ScriptLimits.Budget(l.pageviewsPerSession(), l.pageviewsPerAddress()));
        budgets.put(ScriptLimits.Kind.INTENT, new ScriptLimits.Budget(l.intentsPerSession(), l.intentsPerAddress()));
        budgets.put(ScriptLimits.Kind.HEARTBEAT, new ScriptLimits.Budget(l.heartbeatsPerSession(), l.heartbeatsPerAddress()));
        budgets.put(ScriptLimits.Kind.LEAD, new ScriptLimits.Budget(l.leadsPerSession(), config.leads().perIpPerMinute()));
        // Loopback is exempt only with no proxy configured: behind a local proxy, loopback is everyone.
        return new ScriptLimits(budgets, config.server().trustedProxies().isEmpty(), clock);
    }

    static SessionCaps sessionCaps(RingpoolConfig config) {
        RingpoolConfig.Limits l = config.limits();
        return new SessionCaps(l.pageviewsStoredPerSession(), l.intentsStoredPerSession(), l.maxUrlChars(), l.maxTitleChars());
    }
}
