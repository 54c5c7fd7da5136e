-- Daily report aggregates (issue 17 item 4): a site's visits, calls and leads counted by local day
-- (the site's time zone), attribution model and the dimensions reports group by, written once per
-- site and day ("sealed") from the in-memory report facts before those visits leave memory (the
-- bound server.reportMaxVisits) or the store (retentionDays). Reports over days before the facts'
-- held-from instant read them, so past months still show after retention.

-- One row per sealed day: the day exists (even with no traffic) and is never written again.
CREATE TABLE report_day_seals (
    site_id         VARCHAR(40) NOT NULL,
    local_day       VARCHAR(10) NOT NULL,   -- ISO date in time_zone
    time_zone       VARCHAR(64) NOT NULL,   -- the site's zone when sealed
    day_start       BIGINT      NOT NULL,   -- epoch ms, inclusive
    day_end         BIGINT      NOT NULL,   -- epoch ms, exclusive
    covered_from    BIGINT      NOT NULL,   -- day_start, or 0 when the facts held the site's whole history (nothing before)
    uniqueness_days INTEGER     NOT NULL,   -- the contact window the contacts column was counted with
    group_rows      INTEGER     NOT NULL,   -- rows of report_days written for the day
    sealed_at       BIGINT      NOT NULL,
    PRIMARY KEY (site_id, local_day)
);

-- The counters of one group of one sealed day, cube and model: traffic-source fields credited by
-- the model, device fields the visit's (or call's) own, as the sources report groups them. A cube
-- is a set of the fields (report.DayCube: sources = source..channel + device, landing = landing
-- page + device, devices = device + browser + os, its model last_click only); fields
-- outside the row's cube are NULL. Every field in one cube would make a row of nearly every visit.
-- Counters are per day and group: INTEGER.
CREATE TABLE report_days (
    site_id             VARCHAR(40)   NOT NULL,
    local_day           VARCHAR(10)   NOT NULL,
    cube                VARCHAR(8)    NOT NULL,
    model               VARCHAR(16)   NOT NULL,
    source              VARCHAR(500),
    medium              VARCHAR(500),
    campaign            VARCHAR(500),
    term                VARCHAR(500),
    content             VARCHAR(500),
    channel             VARCHAR(20),
    landing_page        VARCHAR(2000),
    device_type         VARCHAR(20),
    browser             VARCHAR(40),
    os                  VARCHAR(40),
    visits              INTEGER        NOT NULL,
    calls               INTEGER        NOT NULL,
    unique_calls        INTEGER        NOT NULL,
    target_calls        INTEGER        NOT NULL,
    unique_target_calls INTEGER        NOT NULL,
    leads               INTEGER        NOT NULL,
    unique_leads        INTEGER        NOT NULL,
    contacts            INTEGER        NOT NULL
);
-- No primary key of its own: a day's rows are written once, with its marker (whose key makes the
-- second writer fail), and read by site and day range.
CREATE INDEX report_days_site_day ON report_days(site_id, local_day);
