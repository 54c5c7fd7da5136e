-- Who created each upload destination, as V156 and V157 keep for feeds and webhooks: a destination
-- sends calls and leads to an ad platform account without anyone's session, so an owner whose member
-- leaves needs to see which ones that person set up. Not stopped with their creator (the account is
-- usually the company's own); the list shows the creator. NULL for the destinations made before.
ALTER TABLE destinations ADD COLUMN created_by_kind VARCHAR(20);
ALTER TABLE destinations ADD COLUMN created_by VARCHAR(40);
ALTER TABLE destinations ADD COLUMN created_by_label VARCHAR(320);
