-- A static number's attribution over time (audit AM1 F5): each row is what the number stood for
-- from began_at (epoch ms) until the next row of the same number. A row with source NULL says the
-- site retired the number then (a static number's source is otherwise required). Adding the number,
-- changing it (PATCH) and retiring it each add a row, so a call posted late (its event's time before
-- a PATCH) is credited to the source the number had when the call happened, as calls to pool numbers
-- read the lease history; static_numbers keeps the number as it is now.
CREATE TABLE static_number_attributions (
    site_id    VARCHAR(40)  NOT NULL REFERENCES sites(site_id),
    number     VARCHAR(20)  NOT NULL,
    began_at   BIGINT       NOT NULL,
    source     VARCHAR(200),
    medium     VARCHAR(200),
    campaign   VARCHAR(200),
    label      VARCHAR(200),
    PRIMARY KEY (site_id, number, began_at)
);

-- The numbers stored before: their changes were not kept, so each gets its attribution as it is now
-- from when it was added (or last added back), and its retirement. That is what every call was given
-- before this history existed.
INSERT INTO static_number_attributions(site_id, number, began_at, source, medium, campaign, label)
SELECT site_id, number, created_at, source, medium, campaign, label FROM static_numbers;
-- (A number retired in the millisecond it was added has its retirement one millisecond later.)
INSERT INTO static_number_attributions(site_id, number, began_at)
SELECT site_id, number, GREATEST(retired_at, created_at + 1) FROM static_numbers WHERE retired_at IS NOT NULL;
