-- Telephony provider settings per site (issue 13): one row per (site, provider); the settings
-- object is JSON encrypted with the operator's key (AES-GCM, as sites.twilio_token_enc), so the
-- secrets in it (API keys, signing secrets, AMI passwords) are not readable from a database copy.
CREATE TABLE site_providers (
    site_id      VARCHAR(40)   NOT NULL REFERENCES sites(site_id),
    provider     VARCHAR(20)   NOT NULL,
    settings_enc VARCHAR(8000) NOT NULL,
    updated_at   BIGINT        NOT NULL,
    PRIMARY KEY (site_id, provider)
);
