//! What roxyd does with OBS' events and statistics beyond mirroring them: stream and
//! recording sessions in the database, stream-health issues as alerts and notices.

use super::link::Link;
use super::state::stats_info;
use crate::notifications::Event as Notice;
use obws::events::{Event, OutputState};
use obws::Client;
use roxy_core::alerts::obs_rule;
use roxy_core::broadcast::{HealthIssue, HealthSample, SessionKind};
use roxy_core::notify::EventKind;
use roxy_core::time::now_ms;
use roxy_ipc::i18n::{fill, gettext};
use std::sync::Arc;

/// The standing issue while the stream output reconnects.
pub const STREAM_DISCONNECTED: &str = "stream-disconnected";
/// Events listed as alerts until they no longer apply: the stream gave up reconnecting
/// (until the next stream starts), the link dropped mid-broadcast (until it is back).
const STREAM_ENDED: &str = "stream-ended";
const LINK_LOST: &str = "link-lost";
/// Issues that stand while a condition holds (see `poll_stats` and `on_stream`).
const STANDING: [&str; 4] = [
    "dropped-frames",
    "render-lag",
    "disk-low",
    STREAM_DISCONNECTED,
];

#[derive(Default)]
pub struct OpenSessions {
    stream: Option<i64>,
    /// The recording's session and the render counters when it started.
    record: Option<(i64, u64, u64)>,
    /// The stream output's counters (skipped and total frames) as OBS last reported them…
    stream_frames: (u64, u64),
    /// …and what earlier connections of the same stream counted: OBS starts them from zero
    /// when the output reconnects.
    stream_frames_before: (u64, u64),
}

impl OpenSessions {
    fn count_stream_frames(&mut self, now: (u64, u64)) {
        // Each counter on its own: OBS resets the output's dropped frames on reconnect but
        // not always its total.
        if now.0 < self.stream_frames.0 {
            self.stream_frames_before.0 += self.stream_frames.0;
        }
        if now.1 < self.stream_frames.1 {
            self.stream_frames_before.1 += self.stream_frames.1;
        }
        self.stream_frames = now;
    }

    /// Skipped and total frames of the whole stream so far.
    fn stream_totals(&self) -> (u64, u64) {
        (
            self.stream_frames_before.0 + self.stream_frames.0,
            self.stream_frames_before.1 + self.stream_frames.1,
        )
    }
}

impl Link {
    pub(super) async fn after_event(self: &Arc<Self>, event: &Event) {
        match event {
            Event::StreamStateChanged { state, .. } => self.on_stream(*state).await,
            Event::RecordStateChanged { state, path, .. } => {
                self.on_record(*state, path.as_deref().unwrap_or_default())
                    .await;
            }
            _ => {}
        }
    }

    async fn on_stream(&self, state: OutputState) {
        match state {
            OutputState::Started => {
                self.ctx
                    .alerts
                    .clear_silently(&obs_rule(STREAM_ENDED), self.name())
                    .await;
                self.close_stream_session().await;
                let id = self
                    .ctx
                    .store
                    .start_session(self.name(), SessionKind::Stream)
                    .await;
                let mut sessions = self.sessions.lock().unwrap();
                sessions.stream = id.ok();
                sessions.stream_frames = (0, 0);
                sessions.stream_frames_before = (0, 0);
            }
            OutputState::Reconnecting => {
                let body = fill(
                    &gettext("OBS “{}” is reconnecting to the streaming service."),
                    &[&self.name()],
                );
                self.raise(
                    STREAM_DISCONNECTED,
                    gettext("The stream lost its connection"),
                    body,
                )
                .await;
            }
            OutputState::Reconnected => self.clear(STREAM_DISCONNECTED).await,
            OutputState::Stopped => {
                let was_cut_off = self.has_issue(STREAM_DISCONNECTED);
                self.clear(STREAM_DISCONNECTED).await;
                if was_cut_off {
                    let body = fill(
                        &gettext("OBS “{}” could not reconnect and stopped streaming."),
                        &[&self.name()],
                    );
                    self.announce(
                        STREAM_ENDED,
                        gettext("The stream ended after losing its connection"),
                        body,
                    )
                    .await;
                }
                self.close_stream_session().await;
            }
            _ => {}
        }
    }

    async fn on_record(&self, state: OutputState, path: &str) {
        match state {
            OutputState::Started => {
                let id = self
                    .ctx
                    .store
                    .start_session(self.name(), SessionKind::Record)
                    .await;
                let stats = self.state.lock().unwrap().stats.clone();
                if let Ok(id) = id {
                    self.sessions.lock().unwrap().record =
                        Some((id, stats.render_skipped, stats.render_total));
                }
            }
            OutputState::Stopped => self.close_record_session(path).await,
            _ => {}
        }
        let state = super::state::output_state(state);
        if let Ok(emitter) =
            zbus::object_server::SignalEmitter::new(&self.ctx.conn, roxy_ipc::names::DAEMON_PATH)
        {
            let _ = crate::services::broadcast1::BroadcastService::record_state_changed(
                &emitter,
                self.name().to_owned(),
                state.to_owned(),
                path.to_owned(),
            )
            .await;
        }
    }

    async fn close_stream_session(&self) {
        let (id, (skipped, total)) = {
            let mut sessions = self.sessions.lock().unwrap();
            (sessions.stream.take(), sessions.stream_totals())
        };
        if let Some(id) = id {
            let _ = self.ctx.store.end_session(id, "", skipped, total).await;
        }
    }

    async fn close_record_session(&self, path: &str) {
        let open = self.sessions.lock().unwrap().record.take();
        let stats = self.state.lock().unwrap().stats.clone();
        if let Some((id, skipped0, total0)) = open {
            let _ = self
                .ctx
                .store
                .end_session(
                    id,
                    path,
                    stats.render_skipped.saturating_sub(skipped0),
                    stats.render_total.saturating_sub(total0),
                )
                .await;
        }
    }

    /// Outputs already running when roxyd connects get a session from now on.
    pub(super) async fn adopt_running_outputs(&self) {
        let (streaming, recording) = {
            let state = self.state.lock().unwrap();
            (state.stream != "stopped", state.record != "stopped")
        };
        let (has_stream, has_record) = {
            let sessions = self.sessions.lock().unwrap();
            (sessions.stream.is_some(), sessions.record.is_some())
        };
        if streaming && !has_stream {
            self.on_stream(OutputState::Started).await;
        }
        if recording && !has_record {
            self.on_record(OutputState::Started, "").await;
        }
    }

    /// The link closed: OBS quit or crashed, or the network is gone.
    pub(super) async fn link_lost_during_output(&self) {
        let (streaming, recording) = {
            let state = self.state.lock().unwrap();
            (state.stream != "stopped", state.record != "stopped")
        };
        if streaming || recording {
            let body = fill(&gettext("OBS “{}” closed the connection while it was streaming or recording. Check that OBS is still running."), &[&self.name()]);
            self.announce(
                LINK_LOST,
                gettext("Lost the link to OBS during a broadcast"),
                body,
            )
            .await;
        }
        self.close_stream_session().await;
        let file = self.state.lock().unwrap().record_file.clone();
        self.close_record_session(&file).await;
        let mut state = self.state.lock().unwrap();
        state.stream = "stopped".into();
        state.record = "stopped".into();
        state.stream_started_ms = 0;
        state.record_started_ms = 0;
    }

    /// Every two seconds: statistics into the mirror, and the health rules applied to them.
    pub(super) async fn poll_stats(&self, client: &Client) {
        let Ok(stats) = client.general().stats().await else {
            return;
        };
        let (streaming, recording) = {
            let state = self.state.lock().unwrap();
            (state.stream != "stopped", state.record != "stopped")
        };
        let frames = if streaming {
            match client.streaming().status().await {
                Ok(s) => {
                    let frames = (u64::from(s.skipped_frames), u64::from(s.total_frames));
                    self.sessions.lock().unwrap().count_stream_frames(frames);
                    frames
                }
                Err(_) => (0, 0),
            }
        } else {
            (0, 0)
        };
        let info = stats_info(&stats);
        let sample = HealthSample {
            at_ms: now_ms(),
            streaming,
            recording,
            output_skipped: frames.0,
            output_total: frames.1,
            render_skipped: info.render_skipped,
            render_total: info.render_total,
            disk_free_mb: info.disk_free_mb,
        };
        self.state.lock().unwrap().stats = info;
        let changes = self.health.lock().unwrap().observe(sample);
        let window_s = self.ctx.thresholds().window_s().to_string();
        for change in changes {
            let id = change.issue.id();
            if !change.raised {
                self.clear(id).await;
                continue;
            }
            let (summary, body) = match change.issue {
                HealthIssue::DroppedFrames => (
                    gettext("The stream is dropping frames"),
                    fill(
                        &gettext("OBS “{}” lost {} percent of its frames in the last {} seconds. Lower the bitrate or check the network."),
                        &[&self.name(), &format!("{:.1}", change.value), &window_s],
                    ),
                ),
                HealthIssue::RenderLag => (
                    gettext("OBS is skipping frames"),
                    fill(
                        &gettext("OBS “{}” could not render {} percent of its frames in the last {} seconds. Lower the resolution or frame rate, or close other programs."),
                        &[&self.name(), &format!("{:.1}", change.value), &window_s],
                    ),
                ),
                HealthIssue::DiskLow => (
                    gettext("The recording disk is almost full"),
                    fill(
                        &gettext("OBS “{}” has {} MB left on the recording disk. Free space or stop the recording."),
                        &[&self.name(), &format!("{:.0}", change.value)],
                    ),
                ),
            };
            self.raise(id, summary, body).await;
        }
        self.emit_state().await;
    }

    fn has_issue(&self, id: &str) -> bool {
        self.state.lock().unwrap().issues.iter().any(|i| i == id)
    }

    async fn raise(&self, id: &str, summary: String, body: String) {
        {
            let mut state = self.state.lock().unwrap();
            if !state.issues.iter().any(|i| i == id) {
                state.issues.push(id.to_owned());
            }
        }
        self.announce(id, summary, body).await;
    }

    /// A notice about something that happened, listed as an alert until it is cleared.
    async fn announce(&self, id: &str, summary: String, body: String) {
        tracing::warn!(instance = %self.name(), issue = id, "{summary}");
        self.ctx
            .alerts
            .raise_silently(&obs_rule(id), self.name(), &body)
            .await;
        self.ctx
            .notices
            .publish(Notice {
                kind: EventKind::BroadcastHealth,
                source: format!("obs:{}", self.name()),
                key: self.notice_key(id),
                summary,
                body,
                actions: vec![("default".into(), gettext("Open"))],
            })
            .await;
    }

    async fn clear(&self, id: &str) {
        let was = {
            let mut state = self.state.lock().unwrap();
            let before = state.issues.len();
            state.issues.retain(|i| i != id);
            before != state.issues.len()
        };
        if was {
            self.ctx.notices.withdraw(&self.notice_key(id)).await;
            self.ctx
                .alerts
                .clear_silently(&obs_rule(id), self.name())
                .await;
        }
    }

    /// Once linked: the link is back, and alerts of issues that ended while roxyd was away
    /// (or before it restarted) are resolved. Issues still standing stay open.
    pub(super) async fn settle_alerts(&self) {
        let standing = self.state.lock().unwrap().issues.clone();
        let ended = STANDING
            .iter()
            .filter(|id| !standing.iter().any(|s| s == *id));
        for id in ended.chain(std::iter::once(&LINK_LOST)) {
            self.ctx
                .alerts
                .clear_silently(&obs_rule(id), self.name())
                .await;
        }
        self.ctx.notices.withdraw(&self.notice_key(LINK_LOST)).await;
    }

    fn notice_key(&self, id: &str) -> String {
        format!("obs:{}:{id}", self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::OpenSessions;

    #[test]
    fn a_reconnected_stream_keeps_counting_from_where_it_was() {
        let mut sessions = OpenSessions::default();
        sessions.count_stream_frames((5, 100));
        sessions.count_stream_frames((40, 300));
        // The output reconnected: OBS counts from zero again.
        sessions.count_stream_frames((0, 20));
        sessions.count_stream_frames((2, 90));
        assert_eq!(sessions.stream_totals(), (42, 390));
        // Only the dropped frames start again.
        sessions.count_stream_frames((0, 95));
        assert_eq!(sessions.stream_totals(), (42, 395));
    }
}
