-- Host checks (TCP, HTTP, TLS, DNS, ICMP). Their results live in the metric history as
-- check.<name>.up / .latency_ms / .cert_days; state changes are kept here for incidents.
CREATE TABLE checks (
    name        TEXT PRIMARY KEY NOT NULL,
    target      TEXT NOT NULL,
    interval_ms INTEGER NOT NULL,
    timeout_ms  INTEGER NOT NULL,
    keyword     TEXT NOT NULL DEFAULT '',
    status      INTEGER NOT NULL DEFAULT 0,
    warn_days   INTEGER NOT NULL DEFAULT 14,
    expect      TEXT NOT NULL DEFAULT '',
    enabled     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE check_events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    check_name TEXT NOT NULL,
    at      INTEGER NOT NULL,
    up      INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX check_events_by_check ON check_events (check_name, at);
