-- A call whose final event never arrives (a hang-up callback lost during an outage: Twilio does not
-- retry status callbacks) is closed by Ringpool six hours after the last event it received
-- (UnendedCalls, audit AI2 #6). end_unknown says the call's end was not reported: true only while
-- Ringpool's own end_unknown event is the call's one end; a provider's end arriving later clears it.
ALTER TABLE calls ADD COLUMN end_unknown BOOLEAN DEFAULT FALSE NOT NULL;
-- The sweep looks for a site's calls still ringing or answered, a handful among all of its calls.
CREATE INDEX calls_site_status ON calls(site_id, status, started_at);
