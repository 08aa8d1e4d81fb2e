-- One row per runbook run; per-step rows are written as each step changes, so a crash
-- loses nothing that had happened.
CREATE TABLE runbook_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    runbook_id   TEXT    NOT NULL,
    runbook_name TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    job_id       INTEGER,
    vars         TEXT    NOT NULL DEFAULT '',
    skip         TEXT    NOT NULL DEFAULT '',
    approved_by  TEXT,
    message      TEXT    NOT NULL DEFAULT '',
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE INDEX runbook_runs_by_runbook ON runbook_runs (runbook_id, id);

CREATE TABLE runbook_run_steps (
    run_id      INTEGER NOT NULL REFERENCES runbook_runs (id),
    idx         INTEGER NOT NULL,
    step_id     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    exit_code   INTEGER,
    output      TEXT    NOT NULL DEFAULT '',
    started_at  INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (run_id, idx)
);

-- Every action from GUI, CLI, schedules, triggers (and later voice). Append-only.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    target TEXT    NOT NULL,
    result TEXT    NOT NULL,
    detail TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
