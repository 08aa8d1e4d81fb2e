//! The limits of the stream-health rules, shared by every OBS instance and kept in the
//! settings table. A studio on a thin uplink tolerates more lost frames than one on fibre.

use crate::store::{Store, StoreError};

const LOST_PERCENT_KEY: &str = "broadcast.health.lost_percent";
const WINDOW_KEY: &str = "broadcast.health.window_s";
const DISK_FREE_KEY: &str = "broadcast.health.disk_free_mb";

const LOST_PERCENT_RANGE: std::ops::RangeInclusive<f64> = 0.1..=50.0;
const WINDOW_RANGE_S: std::ops::RangeInclusive<u32> = 5..=600;
const DISK_FREE_MAX_MB: f64 = 10_000_000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Share of frames lost over the window that raises an issue.
    pub lost_percent: f64,
    pub window_ms: i64,
    /// Fewer frames than this in the window say nothing yet.
    pub min_frames: u64,
    /// Free space on the recording disk below which a recording raises an issue; 0 turns the
    /// rule off.
    pub disk_free_mb: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            lost_percent: 2.0,
            window_ms: 30_000,
            min_frames: 50,
            disk_free_mb: 2048.0,
        }
    }
}

/// A limit that cannot be used, naming the field and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThresholdError {
    #[error("lost_percent: {0} is not allowed; use 0.1 to 50 (percent of frames).")]
    LostPercent(f64),
    #[error("window_s: {0} is not allowed; use 5 to 600 seconds.")]
    Window(u32),
    #[error("disk_free_mb: {0} is not allowed; use 0 (off) to 10000000 megabytes.")]
    DiskFree(f64),
}

impl Thresholds {
    /// Checks every field; the error names the first that is out of range.
    pub fn new(
        lost_percent: f64,
        window_s: u32,
        disk_free_mb: f64,
    ) -> Result<Self, ThresholdError> {
        if !LOST_PERCENT_RANGE.contains(&lost_percent) {
            return Err(ThresholdError::LostPercent(lost_percent));
        }
        if !WINDOW_RANGE_S.contains(&window_s) {
            return Err(ThresholdError::Window(window_s));
        }
        if !(0.0..=DISK_FREE_MAX_MB).contains(&disk_free_mb) {
            return Err(ThresholdError::DiskFree(disk_free_mb));
        }
        Ok(Self {
            lost_percent,
            window_ms: i64::from(window_s) * 1000,
            disk_free_mb,
            ..Self::default()
        })
    }

    pub fn window_s(&self) -> u32 {
        (self.window_ms / 1000) as u32
    }
}

impl Store {
    /// The stored limits; a missing or damaged value falls back to its default.
    pub async fn health_thresholds(&self) -> Result<Thresholds, StoreError> {
        let defaults = Thresholds::default();
        let lost = self.setting(LOST_PERCENT_KEY).await?;
        let window = self.setting(WINDOW_KEY).await?;
        let disk = self.setting(DISK_FREE_KEY).await?;
        let lost = lost
            .and_then(|v| v.parse().ok())
            .unwrap_or(defaults.lost_percent);
        let window = window
            .and_then(|v| v.parse().ok())
            .unwrap_or(defaults.window_s());
        let disk = disk
            .and_then(|v| v.parse().ok())
            .unwrap_or(defaults.disk_free_mb);
        Ok(Thresholds::new(lost, window, disk).unwrap_or(defaults))
    }

    pub async fn set_health_thresholds(&self, thresholds: &Thresholds) -> Result<(), StoreError> {
        self.set_setting(LOST_PERCENT_KEY, &thresholds.lost_percent.to_string())
            .await?;
        self.set_setting(WINDOW_KEY, &thresholds.window_s().to_string())
            .await?;
        self.set_setting(DISK_FREE_KEY, &thresholds.disk_free_mb.to_string())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_fields_are_named() {
        assert_eq!(
            Thresholds::new(0.0, 30, 2048.0),
            Err(ThresholdError::LostPercent(0.0))
        );
        assert_eq!(
            Thresholds::new(2.0, 4, 2048.0),
            Err(ThresholdError::Window(4))
        );
        let err = Thresholds::new(2.0, 30, -1.0).unwrap_err();
        assert!(err.to_string().starts_with("disk_free_mb: -1"), "{err}");
        assert!(Thresholds::new(f64::NAN, 30, 0.0).is_err());
        let ok = Thresholds::new(5.0, 10, 0.0).unwrap();
        assert_eq!((ok.window_ms, ok.window_s()), (10_000, 10));
    }

    #[tokio::test]
    async fn stored_limits_come_back_and_start_as_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        assert_eq!(
            store.health_thresholds().await.unwrap(),
            Thresholds::default()
        );
        let mine = Thresholds::new(7.5, 12, 500.0).unwrap();
        store.set_health_thresholds(&mine).await.unwrap();
        assert_eq!(store.health_thresholds().await.unwrap(), mine);
    }
}
