-- dialect: postgresql
-- sites.default_number (V13) for the sites stored before it, from their settings' defaultNumber.
UPDATE sites SET default_number = CAST(settings_json AS jsonb) ->> 'defaultNumber';
