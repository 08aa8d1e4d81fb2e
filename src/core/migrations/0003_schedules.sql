-- When runbooks run by themselves.
CREATE TABLE schedules (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    runbook_id   TEXT    NOT NULL,
    kind         TEXT    NOT NULL,          -- cron | every | daily
    spec         TEXT    NOT NULL,
    missed       TEXT    NOT NULL DEFAULT 'skip', -- skip | run_once
    paused       INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    last_fire_at INTEGER,
    next_fire_at INTEGER
);
