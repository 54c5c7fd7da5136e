-- Call events are planned on pooled connections and only written by the group-commit writer
-- (issue 15). A call's revision is what the write re-checks: it is raised by every ingestion of
-- the call and by erasure, and an ingestion writes only "WHERE revision = <the one it read>", so a
-- plan made from a row that changed meanwhile (another node, an erasure) is made again.
ALTER TABLE calls ADD COLUMN revision BIGINT DEFAULT 0 NOT NULL;
