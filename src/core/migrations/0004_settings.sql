-- Daemon-wide switches that outlive a restart (pause all schedules, notification profiles…).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
