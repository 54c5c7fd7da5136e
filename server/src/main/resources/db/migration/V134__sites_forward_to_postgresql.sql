-- dialect: postgresql
-- sites.forward_to (V132) for the sites stored before it, from their settings' forwardTo.
UPDATE sites SET forward_to = CAST(settings_json AS jsonb) ->> 'forwardTo';
