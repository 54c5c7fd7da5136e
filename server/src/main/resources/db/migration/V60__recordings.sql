-- Call recordings (issue 16): the recording each call may have, kept by Ringpool; the marketer's
-- review of a call; provider transcripts; tags set by keyword rules; each site's recording settings.
-- Times are epoch milliseconds (UTC) in BIGINT columns, as in V1.

-- The review and the recording summary the call log filters on, on the call row itself so the log
-- stays one read of one table. recording_state: NULL (none reported) | queued | stored | failed | deleted.
ALTER TABLE calls ADD COLUMN reviewed BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE calls ADD COLUMN note VARCHAR(2000);
ALTER TABLE calls ADD COLUMN recording_state VARCHAR(16);
ALTER TABLE calls ADD COLUMN recording_seconds INTEGER;
ALTER TABLE calls ADD COLUMN transcript VARCHAR(100000);
-- Tags a keyword rule put on the call, each with the rule that set it: [{"tag", "rule": {...}, "at"}].
-- The tag itself is also in the call's tags, so filters and exports see it like any other.
ALTER TABLE calls ADD COLUMN auto_tags_json VARCHAR(8000);

-- One row per call with a recording, and at the same time the durable fetch queue: a row in state
-- 'queued' is due at next_attempt_at; a worker claims it by moving next_attempt_at forward with a
-- compare-and-set, so two nodes never fetch the same recording at once and a crash mid-fetch only
-- delays it until the claim lapses. 'stored' rows name their file (location, sha256);
-- 'deleted' rows whose location is still set have a file waiting to be removed.
CREATE TABLE call_recordings (
    site_id          VARCHAR(40)   NOT NULL REFERENCES sites(site_id),
    call_id          VARCHAR(40)   NOT NULL,
    provider         VARCHAR(20)   NOT NULL,
    source_url       VARCHAR(2000) NOT NULL,
    state            VARCHAR(16)   NOT NULL,   -- queued | stored | failed | deleted
    attempts         INTEGER       NOT NULL,
    next_attempt_at  BIGINT        NOT NULL,
    last_error       VARCHAR(500),
    sha256           VARCHAR(64),
    location         VARCHAR(500),             -- file:<path under the data directory>
    content_type     VARCHAR(100),
    size_bytes       BIGINT,
    duration_seconds INTEGER,
    created_at       BIGINT        NOT NULL,
    updated_at       BIGINT        NOT NULL,
    PRIMARY KEY (site_id, call_id)
);
CREATE INDEX call_recordings_due ON call_recordings(state, next_attempt_at);
CREATE INDEX call_recordings_sha ON call_recordings(sha256);

CREATE TABLE site_recording_settings (
    site_id            VARCHAR(40)    PRIMARY KEY REFERENCES sites(site_id),
    record_calls       BOOLEAN        NOT NULL,
    notice             VARCHAR(2000),
    retention_days     INTEGER        NOT NULL,
    keyword_rules_json VARCHAR(20000),
    updated_at         BIGINT         NOT NULL
);
