-- dialect: h2
-- sites.default_number (V13) for the sites stored before it, from their settings' defaultNumber.
UPDATE sites SET default_number = REGEXP_SUBSTR(settings_json, '"defaultNumber":"(\+[0-9]{1,19})"', 1, 1, NULL, 1);
