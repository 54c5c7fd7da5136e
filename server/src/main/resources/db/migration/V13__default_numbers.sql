-- One number, one site, between a site's default number and other sites' tracking numbers (audit
-- s27, item 4). The default number is what a site's untracked visitors see and call; were it
-- another site's pool or static number, those calls would be attributed to that site's visitors.
-- Sites of one business may share one real default number, so default numbers claim nothing from
-- each other and cannot sit in claimed_numbers (V10), whose key allows one site per number.
-- Instead the store arbitrates with a turn:
--   * sites.default_number repeats the defaultNumber of settings_json, indexed, so a claim can
--     look it up (V14 and V15 fill it for existing sites, one per dialect);
--   * number_claim_turn holds one row that every transaction setting a default number or claiming
--     a tracking number locks first (SELECT ... FOR UPDATE), then checks the other kind, then
--     writes. Such transactions take turns on every node sharing the store, and under READ
--     COMMITTED each one's check sees every claim committed before it. Admin paths only; the
--     call and session paths never take the turn. Two tracking claims are still decided by
--     claimed_numbers' primary key.
-- Stores that already hold such a pair keep it; only new settings and claims are refused.
ALTER TABLE sites ADD COLUMN default_number VARCHAR(20);
CREATE INDEX sites_default_number ON sites(default_number);

CREATE TABLE number_claim_turn (
    id INTEGER PRIMARY KEY
);
INSERT INTO number_claim_turn(id) VALUES (1);
