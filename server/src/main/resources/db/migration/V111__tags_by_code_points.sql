-- A tag is 1 to 50 characters as people count them: code points, so an emoji is one (audit B, F7).
-- H2 measures VARCHAR(n) in UTF-16 units, where an emoji outside the BMP takes two: 50 of them need
-- 100 (PostgreSQL measures characters, and takes the wider columns at no cost). The tags' JSON on
-- the row holds 20 such tags, each with its quotes (a '"' or '\' in a tag is written as two):
-- 20 x (100 + 2) + 19 commas + 2 brackets = 2,061, over the 2,000 it had.
ALTER TABLE call_tags ALTER COLUMN tag SET DATA TYPE VARCHAR(100);
ALTER TABLE lead_tags ALTER COLUMN tag SET DATA TYPE VARCHAR(100);
ALTER TABLE calls ALTER COLUMN tags_json SET DATA TYPE VARCHAR(4000);
ALTER TABLE leads ALTER COLUMN tags_json SET DATA TYPE VARCHAR(4000);
