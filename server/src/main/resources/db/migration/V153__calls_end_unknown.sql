-- A call whose final event never arrives (a hang-up callback lost during an outage: Twilio does not
-- retry status callbacks) is closed by Ringpool six hours after the last event it received
-- (UnendedCalls, audit AI2 #6). end_unknown says the call's end was not reported: true only while
-- Ringpool's own end_unknown event is the call's one end; a provider's end arriving later clears it.
ALTER TABLE calls ADD COLUMN end_unknown BOOLEAN DEFAULT FALSE NOT NULL;
-- The hourly sweep looks for a site's calls still ringing or answered, a handful among all of its
-- calls. live_site_id is the site while a call is under way and null once it is final (CallRows).
-- Not an index on status: PostgreSQL then reads the call log's status filter (status=missed) from it,
-- sorting each page, instead of walking (site_id, started_at) backwards (CallLogPlanOnPostgresTest).
ALTER TABLE calls ADD COLUMN live_site_id VARCHAR(40);
UPDATE calls SET live_site_id = site_id WHERE status IN ('ringing', 'answered');
CREATE INDEX calls_live ON calls(live_site_id, started_at);
