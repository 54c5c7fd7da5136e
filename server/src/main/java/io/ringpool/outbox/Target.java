package io.ringpool.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Somewhere events are delivered: a webhook endpoint, an upload destination. One implementation
 * per kind; a target is identified by its kind and id.
 *
 * <p>Contract: {@link #deliver} runs on an outbox worker thread and may block for the target's
 * timeout; it never throws for the target's own failure (it returns a failed {@link Attempt}).
 * {@link #recordAttempt} runs inside the transaction that records the attempt, so the target's
 * health (last success, failing since, disabled) changes together with the delivery log.
 */
public interface Target {

    /** The kind written in {@code outbox_deliveries.target_kind}. */
    String kind();

    /** The target ids of this kind that take events of {@code type} for the site; read inside the writing transaction. */
    List<String> subscribers(Connection c, String siteId, String type) throws SQLException;

    /**
     * The target ids that take events of {@code type} but are switched off for failing (a webhook
     * disabled after a day of failures): their deliveries are written {@code failed}, not sent, so
     * the bulk retry that follows the receiver's repair sends everything it missed, in order.
     */
    default List<String> switchedOff(Connection c, String siteId, String type) throws SQLException {
        return List.of();
    }

    /** The {@code last_error} of a delivery written for a {@link #switchedOff} target. */
    default String switchedOffReason(Connection c, String targetId) throws SQLException {
        return "not sent: the target is switched off";
    }

    /**
     * How long after its event a delivery to the target is first due, and the soonest any retry of
     * it comes: zero for most targets; a platform that refuses what is too recent (Google Ads takes
     * a call or click conversion only once the call and click are six hours old) is sent nothing
     * sooner. The delivery shows the wait ({@code pending}, {@code nextAttemptAt}), and its day of
     * retries starts when it becomes due. Read on the caller's connection, inside its transaction.
     */
    default Duration holdAfterEvent(Connection c, String targetId) throws SQLException {
        return Duration.ZERO;
    }

    /** How many events one attempt at this target may carry (1 for a webhook; a batch for an upload). */
    int maxBatch(String targetId);

    /** Sends {@code events} (in order; at most {@link #maxBatch}) to target {@code targetId}. */
    Attempt deliver(String targetId, List<OutboxEvent> events);

    /**
     * Locks the target's own row, first in the transaction that records an attempt, before any
     * delivery row; nothing by default (a target whose {@link #recordAttempt} writes no row of its
     * own). Why: recording an attempt updates its delivery's row and then the target's, and a
     * target disabled there gives up its other pending deliveries, whose rows another attempt of
     * the same target may be recording at that moment. The two then held a row each and waited
     * for the other's (H2 and PostgreSQL roll one back: {@code outbox_record_failed}); queued on
     * the target's row first, they take their turns.
     */
    default void lockForRecord(Connection c, String targetId) throws SQLException {}

    /**
     * Keeps the target's health up to date; called in the transaction that logs the attempt.
     *
     * @param oldestEventAt when the oldest retry window of the attempt opened (the event's creation,
     *                      or a manual retry): a failing target has been failing at least since then
     */
    void recordAttempt(Connection c, String targetId, Attempt attempt, long now, long oldestEventAt) throws SQLException;
}
