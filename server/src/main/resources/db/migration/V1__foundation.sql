-- Foundation schema: sites, pools, numbers, sessions (visits), leases.
-- Every table a site owns carries site_id. Times are epoch milliseconds (UTC) in BIGINT columns:
-- portable between H2 and PostgreSQL and cheap to compare.

CREATE TABLE sites (
    site_id            VARCHAR(40)   PRIMARY KEY,
    name               VARCHAR(200)  NOT NULL,
    public_key         VARCHAR(80)   NOT NULL UNIQUE,
    api_key_hash       VARCHAR(64)   NOT NULL UNIQUE,   -- SHA-256 hex of the site API key (keys are 256-bit random)
    webhook_secret_enc VARCHAR(400)  NOT NULL,          -- AES-GCM, the secret is needed to verify signatures
    twilio_token_enc   VARCHAR(400),
    settings_json      VARCHAR(20000) NOT NULL,
    created_at         BIGINT        NOT NULL
);

CREATE TABLE pools (
    pool_id     VARCHAR(40)  PRIMARY KEY,
    site_id     VARCHAR(40)  NOT NULL REFERENCES sites(site_id),
    name        VARCHAR(200) NOT NULL,
    priority    INTEGER      NOT NULL,
    match_json  VARCHAR(4000) NOT NULL,
    created_at  BIGINT       NOT NULL
);
CREATE INDEX pools_site ON pools(site_id);

-- A number belongs to one pool of one site. Its last holder and release time are read from
-- the lease history at start, so leasing never updates this table.
CREATE TABLE pool_numbers (
    site_id          VARCHAR(40) NOT NULL REFERENCES sites(site_id),
    number           VARCHAR(20) NOT NULL,
    pool_id          VARCHAR(40) NOT NULL REFERENCES pools(pool_id),
    added_at         BIGINT      NOT NULL,
    retired_at       BIGINT,
    PRIMARY KEY (site_id, number)
);
CREATE INDEX pool_numbers_pool ON pool_numbers(pool_id);

CREATE TABLE static_numbers (
    site_id    VARCHAR(40)  NOT NULL REFERENCES sites(site_id),
    number     VARCHAR(20)  NOT NULL,
    source     VARCHAR(200) NOT NULL,
    medium     VARCHAR(200),
    campaign   VARCHAR(200),
    label      VARCHAR(200),
    created_at BIGINT       NOT NULL,
    PRIMARY KEY (site_id, number)
);

-- A session is one visit: the traffic source and, when tracked, the lease of its number. Its
-- number, lease start (started_at), expiry and end (ended_at) are the lease history that call
-- attribution reads; one row per lease keeps the hot path at one insert.
--
-- The invariant "a number is never leased to two live sessions at once" lives here too:
-- live_number holds the number while the lease is live and NULL after it ends, and
-- (site_id, live_number) is unique (NULLs never collide). Another node, or a bug, that tries to
-- lease a held number fails on the constraint instead of double-booking it.
--
-- Session ids start with their creation time (see Keys.timeOrdered), so new rows are appended to
-- the end of the primary key index rather than scattered over random pages.
CREATE TABLE sessions (
    session_id       VARCHAR(64)   PRIMARY KEY,
    site_id          VARCHAR(40)   NOT NULL REFERENCES sites(site_id),
    visitor_id       VARCHAR(64)   NOT NULL,
    pool_id          VARCHAR(40),
    number           VARCHAR(20),
    live_number      VARCHAR(20),
    tracked          BOOLEAN       NOT NULL,
    untracked_reason VARCHAR(40),
    reused_cooling   BOOLEAN       NOT NULL,
    started_at       BIGINT        NOT NULL,
    lease_expires_at BIGINT,
    ended_at         BIGINT,
    end_reason       VARCHAR(20),
    landing_page     VARCHAR(2000),
    referrer         VARCHAR(2000),
    title            VARCHAR(500),
    source           VARCHAR(500),
    medium           VARCHAR(500),
    campaign         VARCHAR(500),
    term             VARCHAR(500),
    content          VARCHAR(500),
    channel          VARCHAR(20)   NOT NULL,
    click_ids_json   VARCHAR(4000),
    client_ids_json  VARCHAR(2000),
    device_type      VARCHAR(20),
    browser          VARCHAR(40),
    os               VARCHAR(40),
    pageviews        INTEGER       NOT NULL,
    CONSTRAINT sessions_live_number UNIQUE (site_id, live_number)
);
CREATE INDEX sessions_site_started ON sessions(site_id, started_at);
CREATE INDEX sessions_site_visitor ON sessions(site_id, visitor_id, started_at);
CREATE INDEX sessions_number_time ON sessions(site_id, number, started_at DESC);

CREATE TABLE pageviews (
    site_id    VARCHAR(40)   NOT NULL,
    session_id VARCHAR(64)   NOT NULL,
    url        VARCHAR(2000) NOT NULL,
    title      VARCHAR(500),
    at         BIGINT        NOT NULL
);
CREATE INDEX pageviews_session ON pageviews(session_id);

CREATE TABLE intents (
    site_id    VARCHAR(40) NOT NULL,
    session_id VARCHAR(64) NOT NULL,
    kind       VARCHAR(20) NOT NULL,
    at         BIGINT      NOT NULL
);
CREATE INDEX intents_session ON intents(session_id);

CREATE TABLE pool_exhaustions (
    site_id  VARCHAR(40) NOT NULL,
    pool_id  VARCHAR(40) NOT NULL,
    at       BIGINT      NOT NULL,
    outcome  VARCHAR(20) NOT NULL   -- reused_cooling | untracked
);
CREATE INDEX pool_exhaustions_pool ON pool_exhaustions(pool_id, at);
