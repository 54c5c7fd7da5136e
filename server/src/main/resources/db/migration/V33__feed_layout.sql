-- A feed's layout (audit C, finding 10): feeds now answer exactly the export of their format
-- ('export': PRODUCT.md §4, the Parameters:TimeZone= line and local times for Google's formats),
-- and Google Ads Data Manager's layout (header first, ISO times with offset) is chosen at creation.
-- Feeds of the Google formats made before this were made in Data Manager's layout and are being
-- fetched by it, so they keep it; the others have one layout whatever the column says.
ALTER TABLE feeds ADD COLUMN layout VARCHAR(20) DEFAULT 'export' NOT NULL;
UPDATE feeds SET layout = 'data-manager' WHERE format IN ('google-ads-clicks', 'google-ads-calls', 'google-enhanced');
