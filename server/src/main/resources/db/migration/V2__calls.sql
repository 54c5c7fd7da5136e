-- Calls: the one normalised call model, the raw events it is folded from, and tags.
-- Times are epoch milliseconds (UTC) in BIGINT columns, as in V1. Every table carries site_id.

-- A call as the call log reads it: its merged state, its classification and, denormalised, the
-- attribution decided at the call's start (method, chosen visit and that visit's source data), so
-- the log reads one table. One row per (site, provider, provider call id): concurrent first
-- deliveries of the same call cannot create two calls.
CREATE TABLE calls (
    call_id          VARCHAR(40)   PRIMARY KEY,
    site_id          VARCHAR(40)   NOT NULL REFERENCES sites(site_id),
    provider         VARCHAR(20)   NOT NULL,
    provider_call_id VARCHAR(100)  NOT NULL,
    caller           VARCHAR(64)   NOT NULL,   -- E.164 when valid, else the provider's text; 'erased' after erasure
    caller_valid     BOOLEAN       NOT NULL,
    number           VARCHAR(20)   NOT NULL,   -- the tracking number dialled (E.164)
    answered         BOOLEAN       NOT NULL,   -- answered, or talked for a second or more
    status           VARCHAR(20)   NOT NULL,   -- ringing | answered | completed | missed | busy | failed
    started_at       BIGINT        NOT NULL,
    answered_at      BIGINT,
    ended_at         BIGINT,
    duration_seconds INTEGER,
    talk_seconds     INTEGER,
    recording_url    VARCHAR(2000),
    first_time       BOOLEAN       NOT NULL,
    is_unique        BOOLEAN       NOT NULL,
    target           BOOLEAN       NOT NULL,
    unique_target    BOOLEAN       NOT NULL,
    method           VARCHAR(20)   NOT NULL,   -- active | cooling | ambiguous | repeat | static | none
    attributed_at    BIGINT        NOT NULL,   -- the call time the attribution was decided for
    session_id       VARCHAR(64),
    visitor_id       VARCHAR(64),
    source           VARCHAR(500),
    medium           VARCHAR(500),
    campaign         VARCHAR(500),
    term             VARCHAR(500),
    content          VARCHAR(500),
    channel          VARCHAR(20),
    landing_page     VARCHAR(2000),
    referrer         VARCHAR(2000),
    gclid            VARCHAR(500),
    yclid            VARCHAR(500),
    click_ids_json   VARCHAR(4000),
    client_ids_json  VARCHAR(2000),
    device_type      VARCHAR(20),
    browser          VARCHAR(40),
    os               VARCHAR(40),
    static_label     VARCHAR(200),
    candidates_json  VARCHAR(20000),            -- every candidate session with its reason and score
    earlier_visits_json VARCHAR(8000),          -- the visitor's visits before the chosen one
    tags_json        VARCHAR(2000),
    call_value       DOUBLE PRECISION,
    currency         VARCHAR(3),
    created_at       BIGINT        NOT NULL,
    updated_at       BIGINT        NOT NULL,
    CONSTRAINT calls_provider_call UNIQUE (site_id, provider, provider_call_id)
);
CREATE INDEX calls_site_started ON calls(site_id, started_at, call_id);
CREATE INDEX calls_site_caller ON calls(site_id, caller, started_at);

-- Every event as received, one row per (site, provider, call, kind): the idempotency key. A
-- repeat of a kind is joined into its row (CallStateMerger.join), never added. call_id stays null
-- while no event of the call has named the dialled number (a Twilio status callback that came
-- before the voice webhook); the call is created when one does.
CREATE TABLE call_events (
    site_id          VARCHAR(40)   NOT NULL,
    provider         VARCHAR(20)   NOT NULL,
    provider_call_id VARCHAR(100)  NOT NULL,
    kind             VARCHAR(20)   NOT NULL,
    call_id          VARCHAR(40),
    at               BIGINT        NOT NULL,
    from_raw         VARCHAR(100),
    to_raw           VARCHAR(100),
    duration_seconds INTEGER,
    talk_seconds     INTEGER,
    recording_url    VARCHAR(2000),
    received_at      BIGINT        NOT NULL,
    PRIMARY KEY (site_id, provider, provider_call_id, kind)
);
CREATE INDEX call_events_call ON call_events(call_id);

-- Tags of a call, for filtering the log (the call row keeps them too, as JSON, for reading).
CREATE TABLE call_tags (
    site_id VARCHAR(40) NOT NULL,
    call_id VARCHAR(40) NOT NULL,
    tag     VARCHAR(50) NOT NULL,
    PRIMARY KEY (call_id, tag)
);
CREATE INDEX call_tags_site_tag ON call_tags(site_id, tag);
