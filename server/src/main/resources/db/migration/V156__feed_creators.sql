-- Who created each feed (audit AM2 F10): a feed's username and password work without anyone's
-- session, so a person removed from the workspace (or left without the right to manage the
-- site's integrations) kept downloading every caller's number through the feed they made. Knowing
-- the creator lets that person's feeds be revoked with their access, and the feed list show who
-- made each one. created_by_kind is the audit log's actor kind (user, site_key, admin),
-- created_by the user id or site id (NULL for the operator), created_by_label the person's
-- e-mail or the key's name when the feed was made. The feeds made before are NULL: not known.
ALTER TABLE feeds ADD COLUMN created_by_kind VARCHAR(20);
ALTER TABLE feeds ADD COLUMN created_by VARCHAR(40);
ALTER TABLE feeds ADD COLUMN created_by_label VARCHAR(320);
CREATE INDEX feeds_created_by ON feeds(created_by);
