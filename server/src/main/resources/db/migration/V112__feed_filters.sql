-- A feed's filters, as the export's query string names them (tag, target, unique, uniqueTarget,
-- idType, leads, leadConversionName): a platform fetching a feed gets what the marketer would
-- download with the same parameters. NULL is "any" (the export's default), so feeds made before
-- this keep answering every call.
ALTER TABLE feeds ADD COLUMN filter_tag VARCHAR(100);
ALTER TABLE feeds ADD COLUMN filter_target BOOLEAN;
ALTER TABLE feeds ADD COLUMN filter_unique BOOLEAN;
ALTER TABLE feeds ADD COLUMN filter_unique_target BOOLEAN;
ALTER TABLE feeds ADD COLUMN filter_id_type VARCHAR(20);
ALTER TABLE feeds ADD COLUMN filter_leads BOOLEAN;
ALTER TABLE feeds ADD COLUMN lead_conversion_name VARCHAR(400);
