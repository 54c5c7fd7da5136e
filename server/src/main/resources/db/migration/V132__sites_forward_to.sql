-- sites.forward_to repeats the forwardTo of settings_json, indexed, so that adding a pool or
-- static number can refuse one that some site forwards its calls to (a tracking number there would
-- dial itself, or another tenant's calls), in the same claim turn as default numbers (V13).
ALTER TABLE sites ADD COLUMN forward_to VARCHAR(20);
CREATE INDEX sites_forward_to ON sites(forward_to);
