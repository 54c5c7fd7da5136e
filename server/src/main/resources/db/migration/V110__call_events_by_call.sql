-- A call's events filed under the call, and a small table for events whose call does not exist yet.
--
-- call_events was keyed by (site_id, provider, provider_call_id, kind). Providers' call ids are
-- random (Twilio's CallSid is "CA" + 32 hex digits), so every event landed on a random leaf of that
-- key, and H2 rewrites a whole 64 KB leaf for it at the commit: with random ids a call event cost
-- the group-commit thread about twice what ordered ids did (docs/scaling.md, session 25). Call ids
-- are time-ordered (Keys.timeOrdered), so keyed by (call_id, kind) a new call's events append at
-- the end of the key. The events are read by the call id that calls_provider_call gives.
--
-- Events that came before any event named the dialled number (a Twilio status callback that
-- overtook the voice webhook) have no call to be filed under: they wait in call_events_waiting,
-- keyed by the provider's id as before, and move to call_events when their call is created
-- (CallRecords). The waiting table is empty but for such moments, so its random key costs little.

CREATE TABLE call_events_waiting (
    site_id          VARCHAR(40)   NOT NULL,
    provider         VARCHAR(20)   NOT NULL,
    provider_call_id VARCHAR(100)  NOT NULL,
    kind             VARCHAR(20)   NOT NULL,
    at               BIGINT        NOT NULL,
    from_raw         VARCHAR(100),
    to_raw           VARCHAR(100),
    duration_seconds INTEGER,
    talk_seconds     INTEGER,
    recording_url    VARCHAR(2000),
    received_at      BIGINT        NOT NULL,
    PRIMARY KEY (site_id, provider, provider_call_id, kind)
);

INSERT INTO call_events_waiting(site_id, provider, provider_call_id, kind, at, from_raw, to_raw, duration_seconds,
        talk_seconds, recording_url, received_at)
    SELECT site_id, provider, provider_call_id, kind, at, from_raw, to_raw, duration_seconds, talk_seconds, recording_url,
        received_at
    FROM call_events WHERE call_id IS NULL;

-- The provider and its call id are the call's (calls.provider, calls.provider_call_id).
CREATE TABLE call_events_by_call (
    call_id          VARCHAR(40)   NOT NULL,
    kind             VARCHAR(20)   NOT NULL,
    site_id          VARCHAR(40)   NOT NULL,
    at               BIGINT        NOT NULL,
    from_raw         VARCHAR(100),
    to_raw           VARCHAR(100),
    duration_seconds INTEGER,
    talk_seconds     INTEGER,
    recording_url    VARCHAR(2000),
    received_at      BIGINT        NOT NULL,
    PRIMARY KEY (call_id, kind)
);

INSERT INTO call_events_by_call(call_id, kind, site_id, at, from_raw, to_raw, duration_seconds, talk_seconds,
        recording_url, received_at)
    SELECT call_id, kind, site_id, at, from_raw, to_raw, duration_seconds, talk_seconds, recording_url, received_at
    FROM call_events WHERE call_id IS NOT NULL;

DROP TABLE call_events;
ALTER TABLE call_events_by_call RENAME TO call_events;
