-- Every job the daemon ran: the history behind `roxyctl jobs list` and the Jobs view.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    progress    REAL    NOT NULL DEFAULT 0,
    message     TEXT    NOT NULL DEFAULT '',
    started_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX jobs_by_state ON jobs (state);
