//! The downsampled history: every sample goes into a one-second, a one-minute and a
//! one-hour bucket at once, and each tier is kept only as long as it is useful (1 hour,
//! 7 days, a year), so the database stays small.

use crate::store::{Store, StoreError};
use sqlx::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    pub id: i64,
    pub step_ms: i64,
    pub keep_ms: i64,
}

const HOUR: i64 = 3_600_000;
pub const TIERS: [Tier; 3] = [
    Tier {
        id: 0,
        step_ms: 1000,
        keep_ms: HOUR,
    },
    Tier {
        id: 1,
        step_ms: 60_000,
        keep_ms: 7 * 24 * HOUR,
    },
    Tier {
        id: 2,
        step_ms: HOUR,
        keep_ms: 365 * 24 * HOUR,
    },
];

/// Rows in one upsert statement (7 values each, far below SQLite's limit of variables).
const ROWS_PER_STATEMENT: usize = 128;

/// One bucket of a metric's history.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Start of the bucket, Unix milliseconds.
    pub at_ms: i64,
    pub avg: f64,
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    pub count: i64,
}

/// The finest tier that still covers `span_ms` back from now.
pub fn tier_for(span_ms: i64) -> Tier {
    TIERS
        .into_iter()
        .find(|t| span_ms <= t.keep_ms)
        .unwrap_or(TIERS[2])
}

impl Store {
    /// Adds one sample of each metric taken at `at_ms`, in one transaction. Rows go in as
    /// multi-row upserts of [`ROWS_PER_STATEMENT`]: hundreds of series a second then cost a
    /// few statements instead of one per row and tier.
    pub async fn record_metrics(
        &self,
        at_ms: i64,
        values: &[(String, f64)],
    ) -> Result<(), StoreError> {
        let rows: Vec<(&str, Tier, f64)> = values
            .iter()
            .filter(|(_, v)| v.is_finite())
            .flat_map(|(metric, value)| {
                TIERS.into_iter().map(move |t| (metric.as_str(), t, *value))
            })
            .collect();
        let mut tx = self.pool().begin().await?;
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO metric_points (metric, tier, bucket, sum, count, min, max) ",
            );
            query.push_values(chunk, |mut row, (metric, tier, value)| {
                row.push_bind(*metric)
                    .push_bind(tier.id)
                    .push_bind(at_ms - at_ms.rem_euclid(tier.step_ms))
                    .push_bind(*value)
                    .push_bind(1_i64)
                    .push_bind(*value)
                    .push_bind(*value);
            });
            query.push(
                " ON CONFLICT (metric, tier, bucket) DO UPDATE SET \
                 sum = sum + excluded.sum, count = count + 1, \
                 min = MIN(min, excluded.min), max = MAX(max, excluded.max)",
            );
            query.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Drops buckets older than their tier keeps; returns how many went.
    pub async fn prune_metrics(&self, now_ms: i64) -> Result<u64, StoreError> {
        let mut removed = 0;
        for tier in TIERS {
            removed += sqlx::query("DELETE FROM metric_points WHERE tier = ? AND bucket < ?")
                .bind(tier.id)
                .bind(now_ms - tier.keep_ms)
                .execute(self.pool())
                .await?
                .rows_affected();
        }
        Ok(removed)
    }

    /// The history of `metric` from `from_ms` on, oldest first, from the given tier.
    pub async fn metric_history(
        &self,
        metric: &str,
        tier: Tier,
        from_ms: i64,
    ) -> Result<Vec<Point>, StoreError> {
        let rows = sqlx::query(
            "SELECT bucket, sum, count, min, max FROM metric_points \
             WHERE metric = ? AND tier = ? AND bucket >= ? ORDER BY bucket",
        )
        .bind(metric)
        .bind(tier.id)
        .bind(from_ms - from_ms.rem_euclid(tier.step_ms))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let sum: f64 = r.get("sum");
                let count: i64 = r.get("count");
                Point {
                    at_ms: r.get("bucket"),
                    avg: sum / count.max(1) as f64,
                    min: r.get("min"),
                    max: r.get("max"),
                    sum,
                    count,
                }
            })
            .collect())
    }

    /// The mean of every metric matching the SQL `LIKE` pattern over the last `span_ms`
    /// (exact: total of sums over total of counts), from the finest tier covering the span.
    pub async fn metric_means(
        &self,
        pattern: &str,
        span_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<(String, f64)>, StoreError> {
        let tier = tier_for(span_ms);
        let from = now_ms - span_ms;
        let rows = sqlx::query(
            "SELECT metric, SUM(sum) / SUM(count) AS mean FROM metric_points \
             WHERE metric LIKE ? AND tier = ? AND bucket >= ? GROUP BY metric",
        )
        .bind(pattern)
        .bind(tier.id)
        .bind(from - from.rem_euclid(tier.step_ms))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("metric"), r.get("mean")))
            .collect())
    }

    /// Names of the metrics with any history.
    pub async fn metric_names(&self) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT DISTINCT metric FROM metric_points WHERE tier = 2 ORDER BY metric")
                .fetch_all(self.pool())
                .await?;
        Ok(rows.iter().map(|r| r.get("metric")).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn many_rows_and_repeats_in_one_write_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        // More rows than one statement holds, and one metric twice in the same write.
        let mut values: Vec<(String, f64)> = (0..300).map(|i| (format!("m{i}"), 1.0)).collect();
        values.push(("m7".to_owned(), 3.0));
        store.record_metrics(5 * HOUR, &values).await.unwrap();
        for tier in TIERS {
            let points = store.metric_history("m7", tier, 5 * HOUR).await.unwrap();
            assert_eq!(points.len(), 1);
            assert_eq!((points[0].sum, points[0].count), (4.0, 2));
            assert_eq!((points[0].min, points[0].max), (1.0, 3.0));
        }
        assert_eq!(store.metric_names().await.unwrap().len(), 300);
    }

    #[tokio::test]
    async fn means_over_matching_metrics() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let now = 100 * HOUR;
        for i in 0..10i64 {
            let values = vec![
                ("check.a.up".to_owned(), if i < 9 { 1.0 } else { 0.0 }),
                ("check.b.up".to_owned(), 1.0),
                ("cpu".to_owned(), 50.0),
            ];
            store
                .record_metrics(now - 10_000 + i * 1000, &values)
                .await
                .unwrap();
        }
        let mut means = store.metric_means("check.%.up", 60_000, now).await.unwrap();
        means.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            means,
            vec![
                ("check.a.up".to_owned(), 0.9),
                ("check.b.up".to_owned(), 1.0)
            ]
        );
    }

    #[tokio::test]
    async fn downsampling_keeps_totals_and_extremes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        // 150 seconds of a sawtooth, starting mid-minute.
        let start = 10 * HOUR + 30_000;
        let mut total = 0.0;
        for i in 0..150i64 {
            let v = (i % 7) as f64 * 1.5;
            total += v;
            store
                .record_metrics(start + i * 1000, &[("cpu".into(), v)])
                .await
                .unwrap();
        }
        let raw = store.metric_history("cpu", TIERS[0], 0).await.unwrap();
        let minutes = store.metric_history("cpu", TIERS[1], 0).await.unwrap();
        let hours = store.metric_history("cpu", TIERS[2], 0).await.unwrap();
        assert_eq!(raw.len(), 150);
        assert_eq!(minutes.len(), 3, "the samples span three minutes");
        assert_eq!(hours.len(), 1);
        let sum = |points: &[Point]| points.iter().map(|p| p.sum).sum::<f64>();
        let count = |points: &[Point]| points.iter().map(|p| p.count).sum::<i64>();
        for points in [&raw, &minutes, &hours] {
            assert!((sum(points) - total).abs() < 1e-9);
            assert_eq!(count(points), 150);
        }
        // Each minute agrees with the raw seconds inside it.
        for minute in &minutes {
            let inside: Vec<Point> = raw
                .iter()
                .filter(|p| p.at_ms >= minute.at_ms && p.at_ms < minute.at_ms + 60_000)
                .cloned()
                .collect();
            assert!((sum(&inside) - minute.sum).abs() < 1e-9);
            let max = inside.iter().map(|p| p.max).fold(f64::MIN, f64::max);
            assert_eq!(minute.max, max);
        }
        assert_eq!(hours[0].min, 0.0);
        assert_eq!(hours[0].max, 9.0);
    }

    #[tokio::test]
    async fn pruning_keeps_each_tier_for_its_span() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let now = 1000 * HOUR;
        for age in [2 * HOUR, 30 * 60_000] {
            store
                .record_metrics(now - age, &[("load1".into(), 1.0)])
                .await
                .unwrap();
        }
        store.prune_metrics(now).await.unwrap();
        assert_eq!(
            store
                .metric_history("load1", TIERS[0], 0)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store
                .metric_history("load1", TIERS[1], 0)
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(tier_for(HOUR), TIERS[0]);
        assert_eq!(tier_for(24 * HOUR), TIERS[1]);
        assert_eq!(tier_for(30 * 24 * HOUR), TIERS[2]);
    }
}
