package io.ringpool.call;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What the recordings capability needs to hear from the call path, called inside the call's own
 * transaction so that a recording reported with a committed event is queued with it (a 2xx to the
 * provider means the fetch will happen, even across a crash), and an erased caller's recordings
 * are marked for deletion in the same commit as the erasure.
 *
 * <p>Methods called inside a transaction only write (they may run twice when a group commit is
 * retried); files are removed after the commit, in {@link #afterErasure}.
 */
public interface RecordingHook {

    /** The call now names a recording it did not name before ({@link StoredCall#recordingUrl()}). */
    void reported(Connection c, StoredCall call, long now) throws SQLException;

    /** These calls' caller was erased: their recordings must go. */
    void erased(Connection c, String siteId, List<String> callIds, long now) throws SQLException;

    /** After commit: a recording was reported (wake the fetcher). */
    void afterReport();

    /** After commit: remove the files of recordings marked deleted. */
    void afterErasure(String siteId);

    /** For a server without recordings (and tests of the call path alone). */
    RecordingHook NONE = new RecordingHook() {
        @Override
        public void reported(Connection c, StoredCall call, long now) {}

        @Override
        public void erased(Connection c, String siteId, List<String> callIds, long now) {}

        @Override
        public void afterReport() {}

        @Override
        public void afterErasure(String siteId) {}
    };
}
