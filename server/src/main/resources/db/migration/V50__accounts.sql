-- Accounts: people, workspaces (an agency's clients), their roles, sign-in sessions, one-time
-- links (invites and password resets) and the audit log. Times are epoch milliseconds (BIGINT),
-- as everywhere. Secrets are stored hashed: passwords with Argon2id (PHC string), session and
-- link tokens with SHA-256 (they carry 256 random bits, so a fast hash is enough).

CREATE TABLE workspaces (
    workspace_id VARCHAR(40)  PRIMARY KEY,
    name         VARCHAR(200) NOT NULL,
    created_at   BIGINT       NOT NULL
);

-- A site belongs to at most one workspace; sites created with the admin key alone belong to none
-- until the operator attaches them.
CREATE TABLE workspace_sites (
    site_id      VARCHAR(40) PRIMARY KEY REFERENCES sites(site_id),
    workspace_id VARCHAR(40) NOT NULL REFERENCES workspaces(workspace_id)
);
CREATE INDEX workspace_sites_workspace ON workspace_sites(workspace_id);

CREATE TABLE users (
    user_id       VARCHAR(40)  PRIMARY KEY,
    email         VARCHAR(254) NOT NULL UNIQUE,   -- lower case
    name          VARCHAR(200) NOT NULL,
    password_hash VARCHAR(200) NOT NULL,          -- $argon2id$v=19$m=…,t=…,p=…$salt$hash
    created_at    BIGINT       NOT NULL
);

-- sites_json: a JSON array of site ids the member may see, or NULL for every site of the workspace.
CREATE TABLE memberships (
    workspace_id VARCHAR(40)  NOT NULL REFERENCES workspaces(workspace_id),
    user_id      VARCHAR(40)  NOT NULL REFERENCES users(user_id),
    role         VARCHAR(20)  NOT NULL,
    sites_json   VARCHAR(8000),
    created_at   BIGINT       NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

-- A one-time link: kind 'invite' (workspace, email, role, sites) or 'reset' (user_id).
CREATE TABLE account_links (
    link_id      VARCHAR(40)  PRIMARY KEY,
    token_hash   VARCHAR(64)  NOT NULL UNIQUE,
    kind         VARCHAR(10)  NOT NULL,
    workspace_id VARCHAR(40),
    email        VARCHAR(254),
    name         VARCHAR(200),                   -- the invitee's name as the inviter gave it
    role         VARCHAR(20),
    sites_json   VARCHAR(8000),
    user_id      VARCHAR(40),
    created_by   VARCHAR(300) NOT NULL,
    created_at   BIGINT       NOT NULL,
    expires_at   BIGINT       NOT NULL,
    used_at      BIGINT
);
CREATE INDEX account_links_workspace ON account_links(workspace_id);

CREATE TABLE user_sessions (
    session_id   VARCHAR(40)  PRIMARY KEY,        -- public handle, for listing and revoking
    token_hash   VARCHAR(64)  NOT NULL UNIQUE,    -- SHA-256 hex of the cookie value
    user_id      VARCHAR(40)  NOT NULL REFERENCES users(user_id),
    csrf_token   VARCHAR(64)  NOT NULL,
    created_at   BIGINT       NOT NULL,
    last_seen_at BIGINT       NOT NULL,
    expires_at   BIGINT       NOT NULL,
    revoked_at   BIGINT,
    address      VARCHAR(64),
    user_agent   VARCHAR(300)
);
CREATE INDEX user_sessions_user ON user_sessions(user_id);

-- Who changed what, when and from which address. workspace_id is NULL for a site outside every
-- workspace (its rows are still kept, with site_id).
CREATE TABLE audit_log (
    audit_id     VARCHAR(40)   PRIMARY KEY,       -- time-ordered (Keys.timeOrdered)
    workspace_id VARCHAR(40),
    site_id      VARCHAR(40),
    at           BIGINT        NOT NULL,
    actor_kind   VARCHAR(10)   NOT NULL,          -- user | site_key | admin
    actor_id     VARCHAR(40),
    actor_label  VARCHAR(300)  NOT NULL,
    action       VARCHAR(60)   NOT NULL,
    target       VARCHAR(300),
    detail       VARCHAR(4000),
    address      VARCHAR(64)
);
CREATE INDEX audit_log_workspace ON audit_log(workspace_id, audit_id);
