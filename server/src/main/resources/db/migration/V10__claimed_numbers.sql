-- One number, one site (issue 10, item 4). A call to a number is attributed within the site whose
-- webhook it reaches; a number in two sites would be tracked by both and attributed right by at
-- most one. Every pool and static number claims its E.164 number here, in the same transaction
-- that adds it, and the primary key refuses a second claim: across sites and across nodes, since
-- the store arbitrates, not a check in one node's memory. A retired pool number gives its claim up.
CREATE TABLE claimed_numbers (
    number      VARCHAR(20)  PRIMARY KEY,
    site_id     VARCHAR(40)  NOT NULL REFERENCES sites(site_id),
    kind        VARCHAR(10)  NOT NULL,
    claimed_at  BIGINT       NOT NULL
);
CREATE INDEX claimed_numbers_site ON claimed_numbers(site_id);

-- Numbers already in use claim themselves; where an older store has one number in two sites, the
-- first site (by id) keeps the claim and the other keeps using it until it is retired there.
INSERT INTO claimed_numbers(number, site_id, kind, claimed_at)
SELECT number, MIN(site_id), 'pool', MIN(added_at) FROM pool_numbers WHERE retired_at IS NULL GROUP BY number;

INSERT INTO claimed_numbers(number, site_id, kind, claimed_at)
SELECT s.number, MIN(s.site_id), 'static', MIN(s.created_at) FROM static_numbers s
WHERE NOT EXISTS (SELECT 1 FROM claimed_numbers c WHERE c.number = s.number) GROUP BY s.number;
