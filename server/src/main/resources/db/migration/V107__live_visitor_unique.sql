-- dialect: postgresql
-- Only PostgreSQL, the store nodes share, needs (and gets) this index: partial, so it holds live
-- claims only; a single H2 node would pay an index entry per start for nothing.
CREATE UNIQUE INDEX sessions_live_visitor ON sessions (site_id, live_visitor) WHERE live_visitor IS NOT NULL;
