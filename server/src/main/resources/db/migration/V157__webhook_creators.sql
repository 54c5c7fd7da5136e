-- Who created each webhook (audit AM2 F10), as V156 keeps for feeds: a webhook sends every call,
-- callers' numbers included, to its URL without anyone's session, so an owner whose member leaves
-- needs to see which endpoints that person set up. Webhooks are not stopped with their creator (one
-- often feeds the company's own CRM); the list shows the creator. NULL for the webhooks made before.
ALTER TABLE webhooks ADD COLUMN created_by_kind VARCHAR(20);
ALTER TABLE webhooks ADD COLUMN created_by VARCHAR(40);
ALTER TABLE webhooks ADD COLUMN created_by_label VARCHAR(320);
