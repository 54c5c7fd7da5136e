-- One live session per visitor across nodes (issue 15, "nodes that agree").
--
-- live_visitor holds the visitor id while a lease of a node sharing the store (PostgreSQL) is
-- live, and is cleared by the same statements that clear live_number (the lease's end, the
-- reaper of a silent node). A start whose visitor already has a live lease on another node is
-- refused by the unique index of V107 and joins that session instead. A claim whose stored expiry
-- has passed in database time is superseded by the next start (only the claim: the number stays
-- with the old lease until its owner or the reaper ends it). One node alone (H2) never sets it:
-- its memory is the authority, and it pays for no index.
ALTER TABLE sessions ADD COLUMN live_visitor VARCHAR(64);
