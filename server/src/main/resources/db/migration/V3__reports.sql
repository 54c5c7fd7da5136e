-- Reports. The report facts of a site live in memory (io.ringpool.report.SiteFacts) and are kept
-- current by reading only what changed before each report: visits by (site_id, started_at), which
-- V1 indexes, and calls by the time they last changed, which this index serves.
CREATE INDEX calls_site_updated ON calls(site_id, updated_at);
