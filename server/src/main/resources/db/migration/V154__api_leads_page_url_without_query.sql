-- Leads posted over the API kept their page URL as sent until session 44 (audit AK1 F4): a CRM or a
-- callback widget passes location.href, whose query often holds the e-mail, phone and name that the
-- lead's masking hides from a viewer. New leads keep only the parameters every stored URL keeps
-- (visit.UrlMinimiser); SQL cannot read a query string parameter by parameter in both stores, so
-- the stored ones lose their query and fragment whole. Their attribution (source, campaign, click
-- ids) is stored apart from the URL and is not touched. The script's leads were minimised already.
UPDATE leads SET page_url = SUBSTRING(page_url, 1, POSITION('#' IN page_url) - 1)
    WHERE origin = 'api' AND POSITION('#' IN page_url) > 0;
UPDATE leads SET page_url = SUBSTRING(page_url, 1, POSITION('?' IN page_url) - 1)
    WHERE origin = 'api' AND POSITION('?' IN page_url) > 0;
