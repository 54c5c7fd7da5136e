-- A feed takes the call log's status, method and caller filters as the exports do (session 33):
-- a platform's feed of "answered calls" or "calls not attributed" holds what a download with the
-- same parameters holds. NULL is "any", so feeds made before this keep answering as they did.
ALTER TABLE feeds ADD COLUMN filter_status VARCHAR(20);
ALTER TABLE feeds ADD COLUMN filter_method VARCHAR(20);
ALTER TABLE feeds ADD COLUMN filter_caller VARCHAR(40);
-- And "ambiguous": false keeps out the calls attributed to one visit chosen among several (a redial,
-- a number reissued from cool-down), as a destination's filter.ambiguous does.
ALTER TABLE feeds ADD COLUMN filter_ambiguous BOOLEAN;
