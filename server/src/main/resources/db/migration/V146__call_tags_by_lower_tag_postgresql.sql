-- dialect: postgresql
-- The call log's tag filter is EXISTS (... call_tags WHERE call_id = calls.call_id AND LOWER(tag) = LOWER(?))
-- (CallLogQuery). With no statistics on LOWER(tag), PostgreSQL guessed that 0.5% of all tags match and
-- started from call_tags: every tagged call of the site fetched and sorted for each page, 80-160 ms for
-- 2,500 "lead" calls and growing with them. ANALYZE keeps statistics on an index's expression, so with
-- this index it knows how common a tag is: a common one walks the site's calls newest first and probes
-- each (a page reads about limit / share rows), a rare one starts from this index. H2 keeps no
-- expression indexes and probes call_tags' primary key per call (CallLogPlanTest).
CREATE INDEX call_tags_lower_tag ON call_tags (LOWER(tag));
-- Its statistics now, not at autovacuum's next analyze.
ANALYZE call_tags;
