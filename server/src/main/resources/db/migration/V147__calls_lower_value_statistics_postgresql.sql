-- dialect: postgresql
-- The call log's filters on what people type match as LOWER(column) = LOWER(?) (CallLogQuery). PostgreSQL keeps
-- no statistics on LOWER(source) and guessed that 0.5% of calls match: for source=google over a year at limit=500
-- it read and sorted every matching call of the range (350 ms for 100,000 calls, where 3 in 7 were from google)
-- rather than walk calls_site_started newest first and stop (under 1 ms for the same rows). Statistics on the
-- expressions (PostgreSQL 14 or later) tell it how common a value is, at no cost to writes, unlike an index.
CREATE STATISTICS calls_lower_source ON (LOWER(source)) FROM calls;
CREATE STATISTICS calls_lower_medium ON (LOWER(medium)) FROM calls;
CREATE STATISTICS calls_lower_campaign ON (LOWER(campaign)) FROM calls;
CREATE STATISTICS calls_lower_channel ON (LOWER(channel)) FROM calls;
-- Gathered now, not at autovacuum's next analyze of a big table.
ANALYZE calls;
