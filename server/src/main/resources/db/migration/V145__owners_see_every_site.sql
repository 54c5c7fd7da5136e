-- An owner may change members, invite, reset passwords and read the whole audit log, so a site list
-- never limited one (audit AB2 #7: a limited owner widened itself and took over the full owner).
-- Owners now always see every site. An owner given a site list before becomes a manager with that
-- list, the lesser reading of what was granted, where the workspace has an owner of every site;
-- where it has none, its limited owners were its owners in fact and now see every site.
UPDATE memberships AS m SET role = 'MANAGER'
 WHERE m.role = 'OWNER' AND m.sites_json IS NOT NULL
   AND EXISTS (SELECT 1 FROM memberships o WHERE o.workspace_id = m.workspace_id AND o.role = 'OWNER' AND o.sites_json IS NULL);
UPDATE memberships SET sites_json = NULL WHERE role = 'OWNER' AND sites_json IS NOT NULL;
UPDATE account_links SET role = 'MANAGER' WHERE kind = 'INVITE' AND role = 'OWNER' AND sites_json IS NOT NULL AND used_at IS NULL;
