package io.ringpool.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.cluster.ChangeFollower;
import io.ringpool.cluster.ChangeNotifications;
import io.ringpool.cluster.ClusterMembership;
import io.ringpool.cluster.ConnectionHeadroom;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.failure.FailureLog;
import io.ringpool.pool.Leasing;
import io.ringpool.recording.RecordingService;
import io.ringpool.report.ReportService;
import io.ringpool.session.SessionService;
import io.ringpool.site.SiteRegistry;
import io.ringpool.store.Database;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedule of the server's background work, one executor per kind so a slow round of one kind
 * never delays another: the report refresher ({@code ringpool-report-refresh}), the sweeper
 * ({@code ringpool-sweeper}: sessions, statistics, retention, counted events, pool statistics,
 * recordings' retention) and, on PostgreSQL, the cluster's two threads ({@code ringpool-cluster}:
 * beats, reclaim, schema check, changes, headroom). A failed round logs one line and the next
 * round runs as scheduled. The start schedules (on its own thread); {@code Ringpool.close()}
 * stops each executor after its current round.
 */
final class BackgroundJobs {
    /** Ringpool's logger, as before these lines moved here: the log shows {@code Ringpool - …}, and filters and tests name it. */
    private static final Logger LOG = LoggerFactory.getLogger(Ringpool.class);

    private BackgroundJobs() {
    }

    /** Every site's report facts kept current, and written to disk so a restart reads only what changed since. */
    static void scheduleReports(ScheduledExecutorService refresher, ReportService reports, SiteRegistry sites, boolean preload) {
        refresher.scheduleWithFixedDelay(() -> reports.refreshAll(sites.all().stream().map(e -> e.site().siteId()).toList(),
                preload), 5, 5, TimeUnit.SECONDS);
        // The facts on disk, so a restart reads only what changed since (after a crash: since the last of these).
        refresher.scheduleWithFixedDelay(reports::saveSnapshots, Ringpool.REPORT_SNAPSHOT_MINUTES, Ringpool.REPORT_SNAPSHOT_MINUTES,
                TimeUnit.MINUTES);
    }

    /** The sweeper's jobs; {@code savePoolStats} is the same save the stop makes. */
    static void scheduleSweeps(ScheduledExecutorService sweeper, long sweepIntervalMillis, SessionService sessions, Database db,
            RetentionRuns retention, Leasing leasing, Clock clock, Runnable savePoolStats, RecordingService recordings) {
        sweeper.scheduleWithFixedDelay(() -> quietly("sweep_failed", sessions::sweep), sweepIntervalMillis, sweepIntervalMillis,
                TimeUnit.MILLISECONDS);
        sweeper.scheduleWithFixedDelay(db::refreshStatistics, 2, 10, TimeUnit.SECONDS);
        sweeper.scheduleWithFixedDelay(retention::applyQuietly, 1, 60, TimeUnit.MINUTES);
        // Counted events: exhaustions written per pool and minute, refusals logged per site and minute (issue 17).
        sweeper.scheduleWithFixedDelay(() -> leasing.flushExhaustions(clock.millis(), false), 5, 5, TimeUnit.SECONDS);
        sweeper.scheduleWithFixedDelay(sessions::logRefusals, 60, 60, TimeUnit.SECONDS);
        // H2's background compaction runs on the group-commit thread, between its batches (GroupCommitWriter).
        // Pool advice survives restarts: peaks and lease lengths are saved every 30 s and at stop.
        sweeper.scheduleWithFixedDelay(savePoolStats, 30, 30, TimeUnit.SECONDS);
        sweeper.scheduleWithFixedDelay(() -> quietly("recording_retention_failed", recordings::applyRetention), 2, 60, TimeUnit.MINUTES);
    }

    /**
     * A node's rounds in a cluster: its beat (its leases stay its own), the reclaim of silent
     * nodes' leases, the check for a schema migrated under it, and the poll of other nodes' changes.
     */
    static void scheduleClusterRounds(ScheduledExecutorService cluster, RingpoolConfig.Cluster clusterConfig,
            ClusterMembership members, ChangeFollower changes, Runnable schemaCheck, Clock clock) {
        long beat = clusterConfig.nodeBeat().toMillis();
        cluster.scheduleWithFixedDelay(() -> quietly("cluster_beat_failed", () -> members.beat(clock.millis())),
                beat, beat, TimeUnit.MILLISECONDS);
        cluster.scheduleWithFixedDelay(() -> quietly("cluster_reclaim_failed", members::reclaimFromSilentNodes),
                beat, 5 * beat, TimeUnit.MILLISECONDS);
        cluster.scheduleWithFixedDelay(() -> quietly("cluster_schema_check_failed", schemaCheck),
                5 * beat, 5 * beat, TimeUnit.MILLISECONDS);
        long poll = clusterConfig.changePoll().toMillis();
        cluster.scheduleWithFixedDelay(() -> quietly("cluster_changes_failed", () -> changes.poll(clock.millis())),
                poll, poll, TimeUnit.MILLISECONDS);
    }

    /**
     * Other nodes' changes the moment they commit ({@code ringpool-cluster-listen}), when configured;
     * the poll above is the bound while this is down.
     *
     * @return the started listener (the stop closes it), null when not configured
     */
    static ChangeNotifications listenForChanges(RingpoolConfig.Cluster clusterConfig, String nodeId, ChangeFollower changes,
            Database db, Clock clock, MeterRegistry registry) {
        if (!clusterConfig.listenForChanges()) {
            return null;
        }
        ChangeNotifications notifications = new ChangeNotifications(() -> db.openOwnConnection("ringpool-listen " + nodeId),
                () -> quietly("cluster_changes_failed", () -> changes.poll(clock.millis())), registry);
        notifications.start();
        return notifications;
    }

    /**
     * PostgreSQL's free connection slots against what this node may still open (the listener's
     * connection, while it is down, among them): said before a request waits for one.
     */
    static void scheduleHeadroom(ScheduledExecutorService cluster, Database db, ChangeNotifications listener, MeterRegistry registry) {
        ConnectionHeadroom headroom = new ConnectionHeadroom(db, () -> db.poolConnectionsNotOpen()
                + (listener != null && !listener.isListening() ? 1 : 0), registry);
        cluster.scheduleWithFixedDelay(() -> quietly("cluster_headroom_failed", headroom::check),
                5, Ringpool.HEADROOM_CHECK_SECONDS, TimeUnit.SECONDS);
    }

    /** Runs the task; a failure is logged as {@code <event> reason=…} and goes no further. */
    static void quietly(String event, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            FailureLog.SHARED.warn(LOG, event, e); // the cluster's rounds fail every beat while the store is away
        }
    }
}
