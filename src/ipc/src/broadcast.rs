//! What the Broadcast service sends over the bus (OBS instances and state, meters, sessions,
//! NDI sources), shared by the GUI and roxyctl.

use serde::{Deserialize, Serialize};
use zbus::zvariant::Type;

/// The link to one OBS instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ObsInstanceInfo {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// "connected", "connecting", "offline", "too-old", "auth-failed" or "error".
    pub link: String,
    /// Why it is not connected, in a sentence that says what to do; empty when connected.
    pub message: String,
    /// OBS and obs-websocket versions, once seen.
    pub obs_version: String,
    pub websocket_version: String,
    /// When the next attempt is due (Unix ms); 0 when connected.
    pub retry_at_ms: i64,
    /// Whether a password is stored for it.
    pub has_password: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct AudioInputInfo {
    pub name: String,
    pub kind: String,
    pub muted: bool,
    pub volume_db: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ObsStatsInfo {
    pub fps: f64,
    /// Average time to render a frame, in milliseconds.
    pub render_ms: f64,
    pub render_skipped: u64,
    pub render_total: u64,
    /// Frames the stream output dropped or skipped, of all it sent.
    pub output_skipped: u64,
    pub output_total: u64,
    pub cpu_percent: f64,
    pub memory_mb: f64,
    pub disk_free_mb: f64,
}

/// Everything the panel shows for one instance. Output states are "stopped", "starting",
/// "active", "paused", "reconnecting" or "stopping".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ObsStateInfo {
    pub instance: String,
    pub connected: bool,
    pub scenes: Vec<String>,
    pub program_scene: String,
    /// Empty unless studio mode is on.
    pub preview_scene: String,
    pub studio_mode: bool,
    pub stream: String,
    /// When the stream started (Unix ms), 0 when it is not running.
    pub stream_started_ms: i64,
    pub record: String,
    pub record_started_ms: i64,
    /// The file being written, or the last one written.
    pub record_file: String,
    pub replay_buffer: bool,
    pub virtual_cam: bool,
    pub inputs: Vec<AudioInputInfo>,
    pub stats: ObsStatsInfo,
    /// Stream-health issues standing now ("dropped-frames", "render-lag", "disk-low",
    /// "stream-disconnected").
    pub issues: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct SceneItemInfo {
    pub id: i64,
    pub source: String,
    pub visible: bool,
}

/// One input's level: the loudest channel now and the peak held over the last 1.5 s, in dBFS
/// (−100 for silence).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct MeterInfo {
    pub input: String,
    pub level_db: f64,
    pub peak_db: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct BroadcastSessionInfo {
    pub id: i64,
    pub instance: String,
    /// "stream" or "record".
    pub kind: String,
    pub started_ms: i64,
    /// 0 while it runs.
    pub ended_ms: i64,
    pub file: String,
    pub dropped_frames: u64,
    pub total_frames: u64,
}

/// The limits of the stream-health rules. Clearing is at half the percentage, or 20 % above
/// the disk limit, so an issue does not flap.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct HealthThresholdsInfo {
    /// Frames lost by the stream output (or skipped by the renderer) over the window, percent.
    pub lost_percent: f64,
    pub window_s: u32,
    /// Free space on the recording disk while recording; 0 turns the rule off.
    pub disk_free_mb: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct NdiSourceInfo {
    /// "MACHINE (Source)", as NDI names it.
    pub name: String,
    pub host: String,
    pub addresses: Vec<String>,
    pub port: u16,
}

/// One finding of the NDI diagnosis.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct NdiFindingInfo {
    /// "ok", "warning" or "problem".
    pub level: String,
    pub title: String,
    pub detail: String,
}
