-- What an erased caller or lead contact keeps for the reports' contacts metric: a salted key of
-- the phone or e-mail (call.PersonPseudonym), the same for rows erased together, NULL otherwise.
-- Without it an erased call or lead shared no person with anyone, and past reports' contacts fell.
ALTER TABLE calls ADD COLUMN erased_person_key BIGINT;
ALTER TABLE leads ADD COLUMN erased_phone_key BIGINT;
ALTER TABLE leads ADD COLUMN erased_email_key BIGINT;
