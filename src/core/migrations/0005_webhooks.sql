-- Outgoing webhooks. `secret` names an entry in the secret store, never a value.
CREATE TABLE webhooks (
    name     TEXT PRIMARY KEY NOT NULL,
    url      TEXT NOT NULL,
    format   TEXT NOT NULL,
    profiles TEXT NOT NULL,
    secret   TEXT NOT NULL DEFAULT ''
);
