-- Feeds (issue 12): a URL per site and export format that an ad platform fetches on a schedule
-- with HTTP Basic credentials. The password carries 192 random bits, so a SHA-256 of it is
-- enough to store (as for API keys); it is shown once, at creation.
CREATE TABLE feeds (
    feed_id         VARCHAR(40)   PRIMARY KEY,
    site_id         VARCHAR(40)   NOT NULL,
    format          VARCHAR(40)   NOT NULL,   -- an export format: google-ads-clicks, yandex-calls, ...
    window_days     INTEGER       NOT NULL,   -- the feed answers the calls of the last window_days days
    conversion_name VARCHAR(100),
    username        VARCHAR(60)   NOT NULL,
    password_hash   VARCHAR(64)   NOT NULL,   -- hex SHA-256 of the password
    created_at      BIGINT        NOT NULL,
    revoked_at      BIGINT,
    last_fetch_at   BIGINT,
    fetch_count     BIGINT        NOT NULL
);
CREATE INDEX feeds_site ON feeds(site_id);
