-- Broadcast: the OBS instances roxyd connects to (passwords live in the secret store) and the
-- stream and recording sessions it saw. Times are Unix milliseconds.
CREATE TABLE obs_instances (
    name       TEXT PRIMARY KEY,
    host       TEXT NOT NULL,
    port       INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE broadcast_sessions (
    id              INTEGER PRIMARY KEY,
    instance        TEXT NOT NULL,
    -- 'stream' or 'record'
    kind            TEXT NOT NULL,
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    -- The recording's file, once OBS names it.
    file            TEXT NOT NULL DEFAULT '',
    -- Frames the output dropped (network) or skipped (encoder), of all it sent.
    dropped_frames  INTEGER NOT NULL DEFAULT 0,
    total_frames    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX broadcast_sessions_by_start ON broadcast_sessions (started_at DESC);
