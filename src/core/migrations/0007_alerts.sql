-- Alert rules (a condition on a metric, held for a while) and the alerts they raised.
CREATE TABLE alert_rules (
    name       TEXT PRIMARY KEY NOT NULL,
    condition  TEXT NOT NULL,
    for_ms     INTEGER NOT NULL,
    severity   TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    rule        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    severity    TEXT NOT NULL,
    message     TEXT NOT NULL,
    value       REAL NOT NULL,
    fired_at    INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX alerts_open ON alerts (resolved_at, rule, subject);
CREATE INDEX alerts_fired ON alerts (fired_at);
