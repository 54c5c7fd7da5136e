-- dialect: h2
-- sites.forward_to (V132) for the sites stored before it, from their settings' forwardTo.
UPDATE sites SET forward_to = REGEXP_SUBSTR(settings_json, '"forwardTo":"(\+[0-9]{1,19})"', 1, 1, NULL, 1);
