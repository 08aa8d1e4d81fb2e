-- Voice: every sentence the daemon heard (or was typed to it as if heard), what it took it for
-- and what came of it. Times are Unix milliseconds.
CREATE TABLE voice_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    -- 'microphone' or 'typed'
    source      TEXT NOT NULL,
    transcript  TEXT NOT NULL,
    -- Empty when nothing matched.
    intent      TEXT NOT NULL DEFAULT '',
    confidence  REAL NOT NULL DEFAULT 0,
    -- 'done', 'asked', 'no_match', 'failed', 'refused', 'cancelled'
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    reply       TEXT NOT NULL DEFAULT '',
    -- Speech-to-text time and end of speech → action done, when heard by microphone.
    stt_ms      INTEGER NOT NULL DEFAULT 0,
    total_ms    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX voice_log_by_time ON voice_log (at DESC);
