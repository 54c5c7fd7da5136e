-- Leads: requests that are not phone calls (a form on the site, a callback request, a chat, an
-- e-mail), attributed like calls and counted beside them. Times are epoch milliseconds (UTC).
--
-- A lead carries, denormalised as a call does, the attribution decided when it arrived (method,
-- chosen visit and that visit's source data), so the lead log and the reports read one table.
-- phone is E.164 when libphonenumber found a valid number with the site's country (phone_valid),
-- else the sender's text; email is trimmed and lower-cased, email_valid when it has the shape of an
-- address. Only valid ones are used to recognise a person. After erasure phone is 'erased' and
-- email, name and message are NULL; counts and attribution stay.
CREATE TABLE leads (
    lead_id          VARCHAR(40)   PRIMARY KEY,
    site_id          VARCHAR(40)   NOT NULL REFERENCES sites(site_id),
    kind             VARCHAR(20)   NOT NULL,   -- form | callback | chat | email | other
    origin           VARCHAR(10)   NOT NULL,   -- script | api
    form_id          VARCHAR(200),
    page_url         VARCHAR(2000),
    at               BIGINT        NOT NULL,   -- when the (first) request was made
    last_at          BIGINT        NOT NULL,   -- the latest duplicate merged into it
    submissions      INTEGER       NOT NULL,   -- 1 + duplicates merged within the site's window
    phone            VARCHAR(64),
    phone_valid      BOOLEAN       NOT NULL,
    email            VARCHAR(254),
    email_valid      BOOLEAN       NOT NULL,
    name             VARCHAR(200),
    message          VARCHAR(4000),
    status           VARCHAR(20)   NOT NULL,   -- new | qualified | spam | won | lost
    is_unique        BOOLEAN       NOT NULL,   -- no earlier lead of this person within the site's uniqueness period
    method           VARCHAR(20)   NOT NULL,   -- session | visitor | click_id | contact | none
    contact_of       VARCHAR(40),              -- method contact: the earlier call or lead it inherited from
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
    tags_json        VARCHAR(2000),
    lead_value       DOUBLE PRECISION,
    currency         VARCHAR(3),
    created_at       BIGINT        NOT NULL,
    updated_at       BIGINT        NOT NULL
);
CREATE INDEX leads_site_at ON leads(site_id, at, lead_id);
CREATE INDEX leads_site_phone ON leads(site_id, phone, at);
CREATE INDEX leads_site_email ON leads(site_id, email, at);
CREATE INDEX leads_site_updated ON leads(site_id, updated_at);

-- The sender's ids (POST /v1/sites/{siteId}/leads "externalId"): a repeat answers the lead it
-- made, also when that request was merged into an earlier lead as a duplicate. The primary key
-- decides between concurrent first deliveries.
CREATE TABLE lead_external_ids (
    site_id     VARCHAR(40)  NOT NULL,
    external_id VARCHAR(200) NOT NULL,
    lead_id     VARCHAR(40)  NOT NULL,
    PRIMARY KEY (site_id, external_id)
);

-- Tags of a lead, for filtering the log (the lead row keeps them too, as JSON, for reading).
CREATE TABLE lead_tags (
    site_id VARCHAR(40) NOT NULL,
    lead_id VARCHAR(40) NOT NULL,
    tag     VARCHAR(50) NOT NULL,
    PRIMARY KEY (lead_id, tag)
);
CREATE INDEX lead_tags_site_tag ON lead_tags(site_id, tag);
