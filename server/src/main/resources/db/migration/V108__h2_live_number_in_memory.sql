-- dialect: h2
-- One node alone on its H2 file keeps one live lease per number in its own leasing (the file is
-- locked to that process), so the store's unique (site_id, live_number) index only repeated it,
-- at one random-order index page per session start and another per lease end: about a tenth of a
-- start's CPU (docs/scaling.md, session 11). PostgreSQL, shared by several nodes, keeps it as
-- the nodes' arbiter. Restarts find the live leases number by number instead (PoolStore).
ALTER TABLE sessions DROP CONSTRAINT sessions_live_number;
