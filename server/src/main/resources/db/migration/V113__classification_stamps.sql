-- The classification settings each site's calls and leads were last wholly classified with. A change
-- of uniquenessDays or targetCallSeconds commits the settings first and then classifies the calls
-- again in batches; a process stopped between them left some calls under the old rule and nothing
-- to say so. A start now classifies again every site whose stamp differs from its settings. No row
-- (sites from before this) is taken as consistent and stamped at the next start.
CREATE TABLE site_classification (
    site_id             VARCHAR(40) PRIMARY KEY,
    uniqueness_days     INTEGER     NOT NULL,
    target_call_seconds INTEGER     NOT NULL,
    classified_at       BIGINT      NOT NULL
);
