-- dialect: postgresql
-- The one secret key every node of a shared store encrypts site secrets with (webhook secrets,
-- provider tokens: site.SecretCipher). Nodes that each generated a key of their own could not read
-- one another's sites. One row: check is an HMAC of a fixed text under the key, so a node started
-- with another key stops with a clear message instead of failing on every site it reads; key is
-- the key itself only when no node was given one (RINGPOOL_SECRET_KEY) and the first node
-- generated it, which makes a copy of the database enough to read those secrets (README).
CREATE TABLE cluster_secret (
    id         INTEGER      PRIMARY KEY,
    check_hmac VARCHAR(64)  NOT NULL,
    key_hex    VARCHAR(64),
    created_at BIGINT       NOT NULL
);
