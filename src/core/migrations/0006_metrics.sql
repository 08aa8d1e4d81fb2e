-- Metric history in three tiers (raw seconds, minutes, hours). Each bucket keeps sum and
-- count, so an average over any span is exact and coarse tiers agree with fine ones.
CREATE TABLE metric_points (
    metric TEXT NOT NULL,
    tier   INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    sum    REAL NOT NULL,
    count  INTEGER NOT NULL,
    min    REAL NOT NULL,
    max    REAL NOT NULL,
    PRIMARY KEY (metric, tier, bucket)
) WITHOUT ROWID;
