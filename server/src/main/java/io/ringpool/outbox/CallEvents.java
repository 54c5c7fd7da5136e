package io.ringpool.outbox;

import io.ringpool.call.CallClass;
import io.ringpool.call.CallJson;
import io.ringpool.call.CallOutbox;
import io.ringpool.call.ContactLeads;
import io.ringpool.call.StoredCall;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The webhook events of a call, decided from the call before and after a change:
 * <ul>
 *   <li>{@code call.started} — the call is new;</li>
 *   <li>{@code call.completed} — it reached a final status (completed, missed, busy, failed); a
 *       call whose first event is already final gets both, started first;</li>
 *   <li>{@code call.updated} — its tags, value or currency changed, or its recording arrived;
 *       or, once it was final, a late event of the call changed its outcome (status, times,
 *       durations, classes or attribution: the other leg's end of a forwarded call often comes
 *       after the caller's, and providers retry out of order), so a receiver that took the call at
 *       {@code call.completed} learns its real outcome; {@code changes} names the fields, in the
 *       call's field order. A recording that arrives with the final status rides on
 *       {@code call.completed} instead.</li>
 * </ul>
 * Each event's {@code data} is the call as {@code GET /v1/sites/{siteId}/calls/{callId}} shows it
 * at that moment, {@code leads} included: the same {@link CallJson} and the same {@link ContactLeads}
 * lookup, read inside the change's transaction.
 */
public final class CallEvents implements CallOutbox {
    public static final String STARTED = "call.started";
    public static final String COMPLETED = "call.completed";
    public static final String UPDATED = "call.updated";
    /**
     * Not a webhook event (no webhook can subscribe to it): a call that was final and unanswered
     * turned out answered, for the upload destinations that left it out as unanswered at
     * {@code call.completed}.
     */
    public static final String ANSWERED_LATE = "call.answered_late";

    private final Outbox outbox;
    private final ContactLeads leads;

    /** @param leads the call's {@code leads}, looked up as the call log looks them up, on the change's connection */
    public CallEvents(Outbox outbox, ContactLeads leads) {
        this.outbox = outbox;
        this.leads = leads;
    }

    @Override
    public void changed(Connection c, StoredCall before, StoredCall after) throws SQLException {
        if (after == null) {
            return;
        }
        boolean completedNow = after.status().isTerminal() && (before == null || !before.status().isTerminal());
        if (before == null) {
            publish(c, after, STARTED, null);
        }
        if (completedNow) {
            publish(c, after, COMPLETED, null);
            return;
        }
        if (before == null) {
            return;
        }
        List<String> changes = before.status().isTerminal() ? outcomeChanges(before, after) : new ArrayList<>();
        if (!before.tags().equals(after.tags())) {
            changes.add("tags");
        }
        if (!Objects.equals(before.value(), after.value())) {
            changes.add("value");
        }
        if (!Objects.equals(before.currency(), after.currency())) {
            changes.add("currency");
        }
        if (after.recordingUrl() != null && !after.recordingUrl().equals(before.recordingUrl())) {
            changes.add("recording");
        }
        if (!Objects.equals(before.attribution(), after.attribution()) && before.status().isTerminal()) {
            changes.add("attribution");
        }
        if (!changes.isEmpty()) {
            publish(c, after, UPDATED, changes);
        }
        if (before.status().isTerminal() && !before.answered() && after.answered()) {
            publish(c, after, ANSWERED_LATE, null);
        }
    }

    /** The fields of a final call's outcome that a late event changed, named and ordered as the call's JSON. */
    private static List<String> outcomeChanges(StoredCall before, StoredCall after) {
        List<String> changes = new ArrayList<>();
        if (!Objects.equals(before.startedAt(), after.startedAt())) {
            changes.add("startedAt");
        }
        if (!Objects.equals(before.answeredAt(), after.answeredAt())) {
            changes.add("answeredAt");
        }
        if (!Objects.equals(before.endedAt(), after.endedAt())) {
            changes.add("endedAt");
        }
        if (before.status() != after.status()) {
            changes.add("status");
        }
        if (!Objects.equals(before.durationSeconds(), after.durationSeconds())) {
            changes.add("durationSeconds");
        }
        if (!Objects.equals(before.talkSeconds(), after.talkSeconds())) {
            changes.add("talkSeconds");
        }
        if (before.endUnknown() != after.endUnknown()) {
            changes.add("endUnknown");
        }
        CallClass was = before.classes();
        CallClass is = after.classes();
        if (was.firstTime() != is.firstTime()) {
            changes.add("firstTime");
        }
        if (was.unique() != is.unique()) {
            changes.add("unique");
        }
        if (was.target() != is.target()) {
            changes.add("target");
        }
        if (was.uniqueTarget() != is.uniqueTarget()) {
            changes.add("uniqueTarget");
        }
        return changes;
    }

    private void publish(Connection c, StoredCall call, String type, List<String> changes) throws SQLException {
        outbox.publish(c, call.siteId(), type, call.callId(), () -> CallJson.of(call, leads.of(c, call)), changes);
    }

    @Override
    public void erased(Connection c, String siteId, String caller, List<String> callIds) throws SQLException {
        OutboxErasure.scrub(c, siteId, List.of(caller), callIds, false);
    }

    @Override
    public void aged(Connection c, String siteId, java.util.Collection<String> callers, List<String> callIds) throws SQLException {
        OutboxErasure.scrubAged(c, siteId, callers, callIds, false);
    }
}
