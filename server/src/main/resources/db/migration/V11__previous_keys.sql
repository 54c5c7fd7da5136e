-- Key rotation (issue 10, item 8): after POST /v1/sites/{siteId}/keys/rotate the site's new key
-- is in sites, and the one it replaced stays valid here until valid_until (an overlap window, so
-- senders and integrations can switch without a gap). One previous key per kind: rotating again
-- inside the window revokes the older one at once.
CREATE TABLE site_previous_keys (
    site_id      VARCHAR(40)  NOT NULL REFERENCES sites(site_id),
    kind         VARCHAR(10)  NOT NULL,
    key_value    VARCHAR(400) NOT NULL,
    valid_until  BIGINT       NOT NULL,
    PRIMARY KEY (site_id, kind)
);
