//! Stream health from OBS' statistics: frames lost while streaming, frames the renderer
//! skipped, disk space while recording. Pure logic, fed one sample at a time, so it is tested
//! without OBS; roxyd turns the changes into alerts and notices.

use super::thresholds::Thresholds;
use std::collections::VecDeque;

/// One reading of OBS' counters. Frame counters are cumulative, as OBS reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HealthSample {
    pub at_ms: i64,
    pub streaming: bool,
    pub recording: bool,
    /// Frames the stream output dropped or skipped, and all it sent.
    pub output_skipped: u64,
    pub output_total: u64,
    /// Frames the renderer missed (the GPU or CPU could not keep up), and all it rendered.
    pub render_skipped: u64,
    pub render_total: u64,
    pub disk_free_mb: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HealthIssue {
    /// The stream output loses frames (network or encoder).
    DroppedFrames,
    /// The renderer skips frames.
    RenderLag,
    /// The recording's disk is almost full.
    DiskLow,
}

impl HealthIssue {
    pub fn id(self) -> &'static str {
        match self {
            HealthIssue::DroppedFrames => "dropped-frames",
            HealthIssue::RenderLag => "render-lag",
            HealthIssue::DiskLow => "disk-low",
        }
    }
}

/// An issue that started (`raised`) or ended, with the value that decided it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthChange {
    pub issue: HealthIssue,
    pub raised: bool,
    /// Percent of frames lost over the window, or megabytes free.
    pub value: f64,
}

#[derive(Debug, Default)]
pub struct HealthWatch {
    thresholds: Thresholds,
    window: VecDeque<HealthSample>,
    active: Vec<HealthIssue>,
}

impl HealthWatch {
    pub fn new(thresholds: Thresholds) -> Self {
        Self {
            thresholds,
            ..Self::default()
        }
    }

    /// New limits apply from the next sample on; standing issues are judged by them then.
    pub fn set_thresholds(&mut self, thresholds: Thresholds) {
        self.thresholds = thresholds;
    }

    pub fn active(&self) -> &[HealthIssue] {
        &self.active
    }

    /// Takes a sample and returns the issues that started or ended with it. An issue clears
    /// at half its threshold (or 20 % above the disk threshold) so it does not flap.
    pub fn observe(&mut self, sample: HealthSample) -> Vec<HealthChange> {
        let t = self.thresholds;
        if self
            .window
            .back()
            .is_some_and(|last| counters_went_back(last, &sample))
        {
            // OBS restarted or reset its counters: old samples say nothing about the new ones.
            self.window.clear();
        }
        self.window.push_back(sample);
        while self
            .window
            .front()
            .is_some_and(|first| sample.at_ms - first.at_ms > t.window_ms)
        {
            self.window.pop_front();
        }
        let first = *self.window.front().expect("just pushed");
        let mut changes = Vec::new();

        let dropped = lost_percent(
            sample.output_skipped - first.output_skipped,
            sample.output_total - first.output_total,
            t.min_frames,
        );
        let dropped = if sample.streaming { dropped } else { None };
        self.judge(
            HealthIssue::DroppedFrames,
            dropped,
            &mut changes,
            |v, on| {
                if on {
                    v >= t.lost_percent / 2.0
                } else {
                    v >= t.lost_percent
                }
            },
        );

        let lag = lost_percent(
            sample.render_skipped - first.render_skipped,
            sample.render_total - first.render_total,
            t.min_frames,
        );
        let lag = if sample.streaming || sample.recording {
            lag
        } else {
            None
        };
        self.judge(HealthIssue::RenderLag, lag, &mut changes, |v, on| {
            if on {
                v >= t.lost_percent / 2.0
            } else {
                v >= t.lost_percent
            }
        });

        let disk = (sample.recording && t.disk_free_mb > 0.0).then_some(sample.disk_free_mb);
        self.judge(HealthIssue::DiskLow, disk, &mut changes, |v, on| {
            if on {
                v <= t.disk_free_mb * 1.2
            } else {
                v <= t.disk_free_mb
            }
        });
        changes
    }

    /// `value` None: nothing to judge (output off, too few frames) — a standing issue ends.
    fn judge(
        &mut self,
        issue: HealthIssue,
        value: Option<f64>,
        changes: &mut Vec<HealthChange>,
        bad: impl Fn(f64, bool) -> bool,
    ) {
        let on = self.active.contains(&issue);
        let now_bad = value.is_some_and(|v| bad(v, on));
        if now_bad != on {
            if now_bad {
                self.active.push(issue);
            } else {
                self.active.retain(|i| *i != issue);
            }
            changes.push(HealthChange {
                issue,
                raised: now_bad,
                value: value.unwrap_or(0.0),
            });
        }
    }
}

fn counters_went_back(last: &HealthSample, next: &HealthSample) -> bool {
    next.output_skipped < last.output_skipped
        || next.output_total < last.output_total
        || next.render_skipped < last.render_skipped
        || next.render_total < last.render_total
}

fn lost_percent(lost: u64, total: u64, min_frames: u64) -> Option<f64> {
    (total >= min_frames).then(|| lost as f64 * 100.0 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streaming(at_s: i64, skipped: u64, total: u64) -> HealthSample {
        HealthSample {
            at_ms: at_s * 1000,
            streaming: true,
            output_skipped: skipped,
            output_total: total,
            render_total: total,
            disk_free_mb: 100_000.0,
            ..HealthSample::default()
        }
    }

    #[test]
    fn dropped_frames_raise_and_clear_with_hysteresis() {
        let mut watch = HealthWatch::new(Thresholds::default());
        assert!(watch.observe(streaming(0, 0, 0)).is_empty());
        // 1 % lost: fine.
        assert!(watch.observe(streaming(10, 3, 300)).is_empty());
        // 30 of 600 in the window: 5 %.
        let changes = watch.observe(streaming(20, 30, 600));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].issue, HealthIssue::DroppedFrames);
        assert!(changes[0].raised);
        assert!((changes[0].value - 5.0).abs() < 1e-9);
        // Still inside the window (samples from 15 s on): 0 lost of 300 since second 20
        // is under half the threshold, so it clears.
        let changes = watch.observe(streaming(45, 30, 900));
        assert_eq!(changes.len(), 1);
        assert!(!changes[0].raised);
        // 1.5 % again: under the raising threshold, nothing new.
        assert!(watch.observe(streaming(50, 39, 1500)).is_empty());
        assert!(watch.active().is_empty());
    }

    #[test]
    fn too_few_frames_say_nothing_and_stopping_clears() {
        let mut watch = HealthWatch::new(Thresholds::default());
        watch.observe(streaming(0, 0, 0));
        assert!(
            watch.observe(streaming(1, 10, 20)).is_empty(),
            "under min_frames"
        );
        assert_eq!(watch.observe(streaming(2, 40, 100)).len(), 1);
        let mut stopped = streaming(3, 40, 100);
        stopped.streaming = false;
        let changes = watch.observe(stopped);
        assert_eq!(changes.len(), 1);
        assert!(!changes[0].raised);
    }

    #[test]
    fn disk_low_only_while_recording() {
        let mut watch = HealthWatch::new(Thresholds::default());
        let mut s = HealthSample {
            disk_free_mb: 1000.0,
            ..HealthSample::default()
        };
        assert!(watch.observe(s).is_empty(), "not recording");
        s.recording = true;
        s.at_ms = 1000;
        let changes = watch.observe(s);
        assert_eq!(changes[0].issue, HealthIssue::DiskLow);
        assert!(changes[0].raised);
        s.disk_free_mb = 2200.0;
        s.at_ms = 2000;
        assert!(watch.observe(s).is_empty(), "inside the hysteresis band");
        s.disk_free_mb = 3000.0;
        s.at_ms = 3000;
        assert!(!watch.observe(s)[0].raised);
    }

    #[test]
    fn counters_reset_by_a_restart_start_a_new_window() {
        let mut watch = HealthWatch::new(Thresholds::default());
        watch.observe(streaming(0, 0, 0));
        watch.observe(streaming(10, 100, 1000));
        // OBS restarted: counters from zero. Without the reset this would underflow.
        let changes = watch.observe(streaming(12, 0, 10));
        assert!(changes.iter().all(|c| !c.raised));
    }
}
