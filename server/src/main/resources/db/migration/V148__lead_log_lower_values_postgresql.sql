-- dialect: postgresql
-- The lead log's filters on what people type match as LOWER(column) = LOWER(?), a tag through
-- EXISTS (... lead_tags WHERE lead_id = leads.lead_id AND LOWER(tag) = LOWER(?)) (LeadStore.querySql), as the
-- call log's do (V146, V147). With no statistics on those expressions PostgreSQL guessed that 0.5% of leads match
-- and, for source=google or tag=lead over a year, read and sorted every match of the range rather than walk
-- leads_site_at newest first and stop (LeadLogPlanOnPostgresTest). Statistics on the lead's expressions (PostgreSQL
-- 14 or later) tell it how common a value is at no cost to writes; the index on LOWER(tag) gives the same for tags
-- and lets a rare tag start from its tags. H2 keeps neither and walks the index (LeadLogPlanTest).
CREATE STATISTICS leads_lower_source ON (LOWER(source)) FROM leads;
CREATE STATISTICS leads_lower_medium ON (LOWER(medium)) FROM leads;
CREATE STATISTICS leads_lower_campaign ON (LOWER(campaign)) FROM leads;
CREATE STATISTICS leads_lower_channel ON (LOWER(channel)) FROM leads;
CREATE INDEX lead_tags_lower_tag ON lead_tags (LOWER(tag));
-- Gathered now, not at autovacuum's next analyze of a big table.
ANALYZE leads;
ANALYZE lead_tags;
