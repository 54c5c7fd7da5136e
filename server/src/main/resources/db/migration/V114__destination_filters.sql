-- A destination's filter (audit N #1): which calls and leads it uploads, under the feeds' and
-- exports' names ({"target": true, "unique": …, "uniqueTarget": …, "tag": …, "leads": …}). NULL is
-- no filter, so destinations made before this keep uploading every answered call.
ALTER TABLE destinations ADD COLUMN filter_json VARCHAR(1000);
