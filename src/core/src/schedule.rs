//! Schedules: cron expressions, intervals and daily times, with the next fire time, and
//! their storage.

use crate::store::{Store, StoreError};
use crate::time::now_ms;
use chrono::{DateTime, Local, NaiveTime, TimeZone};
use sqlx::Row;
use std::time::Duration;

/// How a schedule fires.
#[derive(Debug, Clone)]
pub enum Spec {
    /// Five fields (minute hour day month weekday) or six with seconds, local time.
    Cron(Box<croner::Cron>),
    /// Every so long, counted from the last fire.
    Every(Duration),
    /// Once a day at this local time.
    DailyAt(NaiveTime),
}

/// What to do when fire times were missed (the machine slept or roxyd was stopped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missed {
    Skip,
    RunOnce,
}

impl Missed {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "skip" => Ok(Missed::Skip),
            "run_once" | "run-once" => Ok(Missed::RunOnce),
            other => Err(format!(
                "missed-run policy is skip or run-once, not `{other}`"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Missed::Skip => "skip",
            Missed::RunOnce => "run_once",
        }
    }
}

/// Shortest interval: a runbook is not a busy loop.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

impl Spec {
    /// `kind` is cron, every or daily; the error says what `spec` should look like.
    pub fn parse(kind: &str, spec: &str) -> Result<Self, String> {
        match kind {
            "cron" => spec
                .parse::<croner::Cron>()
                .map(|c| Spec::Cron(Box::new(c)))
                .map_err(|e| format!("`{spec}` is not a cron expression ({e}); write five fields: minute hour day-of-month month day-of-week, e.g. `30 7 * * 1-5`")),
            "every" => match humantime::parse_duration(spec) {
                Ok(d) if d >= MIN_INTERVAL => Ok(Spec::Every(d)),
                Ok(_) => Err(format!("the interval `{spec}` is shorter than one second")),
                Err(_) => Err(format!("`{spec}` is not an interval; write it like 30s, 15m, 2h or 1d")),
            },
            "daily" => NaiveTime::parse_from_str(spec, "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(spec, "%H:%M:%S"))
                .map(Spec::DailyAt)
                .map_err(|_| format!("`{spec}` is not a time of day; write HH:MM in 24-hour time, e.g. 07:30")),
            other => Err(format!("schedule kind `{other}` is unknown; use cron, every or daily")),
        }
    }

    /// The first fire time strictly after `after` (for `Every`, `after` is the last fire).
    pub fn next_after(&self, after: DateTime<Local>) -> Option<DateTime<Local>> {
        match self {
            Spec::Cron(cron) => cron.find_next_occurrence(&after, false).ok(),
            Spec::Every(d) => Some(after + chrono::Duration::from_std(*d).ok()?),
            Spec::DailyAt(time) => {
                let today = after.date_naive().and_time(*time);
                let candidate = Local.from_local_datetime(&today).earliest()?;
                if candidate > after {
                    Some(candidate)
                } else {
                    let tomorrow = after.date_naive().succ_opt()?.and_time(*time);
                    Local.from_local_datetime(&tomorrow).earliest()
                }
            }
        }
    }
}

pub fn local_from_ms(ms: i64) -> DateTime<Local> {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(Local::now)
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRecord {
    pub id: i64,
    pub runbook_id: String,
    pub kind: String,
    pub spec: String,
    pub missed: String,
    pub paused: bool,
    pub created_at: i64,
    pub last_fire_at: Option<i64>,
    pub next_fire_at: Option<i64>,
}

impl Store {
    pub async fn add_schedule(
        &self,
        runbook_id: &str,
        kind: &str,
        spec: &str,
        missed: Missed,
        next_fire_at: i64,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query(
            "INSERT INTO schedules (runbook_id, kind, spec, missed, created_at, next_fire_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(runbook_id)
        .bind(kind)
        .bind(spec)
        .bind(missed.as_str())
        .bind(now_ms())
        .bind(next_fire_at)
        .execute(self.pool())
        .await?
        .last_insert_rowid())
    }

    /// Returns whether a schedule with that id existed.
    pub async fn remove_schedule(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM schedules WHERE id = ?1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn set_schedule_paused(
        &self,
        id: i64,
        paused: bool,
        next_fire_at: Option<i64>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE schedules SET paused = ?2, next_fire_at = COALESCE(?3, next_fire_at) WHERE id = ?1")
            .bind(id)
            .bind(paused)
            .bind(next_fire_at)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn schedule_fired(
        &self,
        id: i64,
        fired_at: Option<i64>,
        next_fire_at: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE schedules SET last_fire_at = COALESCE(?2, last_fire_at), next_fire_at = ?3 WHERE id = ?1")
            .bind(id)
            .bind(fired_at)
            .bind(next_fire_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn schedules(&self) -> Result<Vec<ScheduleRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM schedules ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ScheduleRecord {
                    id: r.try_get("id")?,
                    runbook_id: r.try_get("runbook_id")?,
                    kind: r.try_get("kind")?,
                    spec: r.try_get("spec")?,
                    missed: r.try_get("missed")?,
                    paused: r.try_get("paused")?,
                    created_at: r.try_get("created_at")?,
                    last_fire_at: r.try_get("last_fire_at")?,
                    next_fire_at: r.try_get("next_fire_at")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn at(h: u32, m: u32) -> DateTime<Local> {
        Local
            .from_local_datetime(
                &chrono::NaiveDate::from_ymd_opt(2026, 3, 10)
                    .unwrap()
                    .and_hms_opt(h, m, 0)
                    .unwrap(),
            )
            .earliest()
            .unwrap()
    }

    #[test]
    fn next_fire_times() {
        let cron = Spec::parse("cron", "30 7 * * *").unwrap();
        let next = cron.next_after(at(6, 0)).unwrap();
        assert_eq!((next.hour(), next.minute()), (7, 30));
        assert_eq!(
            cron.next_after(at(8, 0)).unwrap().date_naive(),
            at(8, 0).date_naive().succ_opt().unwrap()
        );

        let daily = Spec::parse("daily", "07:30").unwrap();
        assert_eq!(daily.next_after(at(6, 0)).unwrap(), at(7, 30));
        assert_eq!(
            daily.next_after(at(7, 30)).unwrap().date_naive(),
            at(0, 0).date_naive().succ_opt().unwrap()
        );

        let every = Spec::parse("every", "15m").unwrap();
        assert_eq!(every.next_after(at(6, 0)).unwrap(), at(6, 15));
    }

    #[test]
    fn bad_specs_say_what_is_expected() {
        for (kind, spec, needle) in [
            ("cron", "61 * * * *", "five fields"),
            ("cron", "every day", "not a cron expression"),
            ("every", "soon", "30s, 15m"),
            ("every", "10ms", "shorter than one second"),
            ("daily", "25:00", "HH:MM"),
            ("weekly", "x", "cron, every or daily"),
        ] {
            let err = Spec::parse(kind, spec).unwrap_err();
            assert!(err.contains(needle), "{kind} {spec}: {err}");
        }
        assert!(Missed::parse("later")
            .unwrap_err()
            .contains("skip or run-once"));
    }

    #[tokio::test]
    async fn schedules_are_stored_paused_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let id = store
            .add_schedule("startup", "daily", "07:30", Missed::RunOnce, 5)
            .await
            .unwrap();
        assert!(store.set_schedule_paused(id, true, None).await.unwrap());
        store.schedule_fired(id, Some(4), Some(9)).await.unwrap();
        let all = store.schedules().await.unwrap();
        assert_eq!(all.len(), 1);
        assert!(all[0].paused);
        assert_eq!(
            (all[0].last_fire_at, all[0].next_fire_at),
            (Some(4), Some(9))
        );
        assert_eq!(all[0].missed, "run_once");
        assert!(store.remove_schedule(id).await.unwrap());
        assert!(!store.remove_schedule(id).await.unwrap());
    }
}
