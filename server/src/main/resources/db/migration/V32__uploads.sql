-- Upload destinations (issue 12): a site's account at an ad platform that call conversions are
-- uploaded to. settings_json holds what may be shown (ids, names, base URL); secrets_enc the
-- credentials, encrypted with the operator's key (SecretCipher), never shown again.
CREATE TABLE destinations (
    destination_id VARCHAR(40)   PRIMARY KEY,
    site_id        VARCHAR(40)   NOT NULL,
    type           VARCHAR(40)   NOT NULL,   -- yandex-metrica-calls | yandex-metrica-offline | ga4 | google-ads-calls | google-ads-clicks
    settings_json  VARCHAR(4000) NOT NULL,
    secrets_enc    VARCHAR(8000) NOT NULL,
    dry_run        BOOLEAN       NOT NULL,   -- write what would be sent, send nothing
    created_at     BIGINT        NOT NULL,
    deleted_at     BIGINT
);
CREATE INDEX destinations_site ON destinations(site_id);

-- Every upload: the rows it carried, what was sent (credentials masked), and the platform's answer.
CREATE TABLE uploads (
    upload_id       VARCHAR(40)      PRIMARY KEY,
    destination_id  VARCHAR(40)      NOT NULL,
    site_id         VARCHAR(40)      NOT NULL,
    created_at      BIGINT           NOT NULL,
    status          VARCHAR(20)      NOT NULL,   -- sent | failed | dry_run | nothing_to_send
    row_count       INTEGER          NOT NULL,
    skipped_count   INTEGER          NOT NULL,   -- calls without the id the platform needs
    rows_json       VARCHAR(1000000) NOT NULL,
    request_json    VARCHAR(1000000) NOT NULL,
    response_status INTEGER,
    response_body   VARCHAR(70000),
    error           VARCHAR(500)
);
CREATE INDEX uploads_destination ON uploads(destination_id, created_at);
