//! One container as Roxy tracks it: the engine's view (from inspection and stats) turned into
//! [`ContainerInfo`], plus what self-healing remembers about it.

use bollard::models::{ContainerInspectResponse, ContainerStatsResponse};
use roxy_core::infra::heal::{HealPolicy, HealState};
use roxy_ipc::ContainerInfo;
use std::collections::HashMap;

#[derive(Default)]
pub struct Tracked {
    pub info: ContainerInfo,
    pub labels: HashMap<String, String>,
    /// The engine's own restart policy (`no`, `always`, `on-failure`, `unless-stopped`).
    pub restart_policy: String,
    pub has_healthcheck: bool,
    pub policy: HealPolicy,
    pub heal: HealState,
    /// Until when (Unix ms) stop/die events come from an action Roxy or a person took.
    pub own_action_until: i64,
    /// Last CPU reading: (container ns, system ns).
    cpu: Option<(u64, u64)>,
}

impl Tracked {
    /// Takes in a fresh inspection; `setting` is the person's self-healing choice, if any.
    pub fn apply_inspection(&mut self, c: ContainerInspectResponse, setting: Option<bool>) {
        let state = c.state.unwrap_or_default();
        let config = c.config.unwrap_or_default();
        self.labels = config.labels.unwrap_or_default();
        self.has_healthcheck = config
            .healthcheck
            .and_then(|h| h.test)
            .is_some_and(|test| !test.is_empty() && test[0] != "NONE");
        self.restart_policy = c
            .host_config
            .and_then(|h| h.restart_policy)
            .and_then(|p| p.name)
            .map(|n| n.to_string())
            .unwrap_or_default();
        let (policy, problems) = HealPolicy::from_labels(&self.labels, setting);
        self.policy = policy;
        if !state.running.unwrap_or(false) {
            self.cpu = None;
            self.info.cpu_pct = 0.0;
            self.info.memory_bytes = 0;
        }
        self.info = ContainerInfo {
            id: c.id.unwrap_or_default(),
            name: c
                .name
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_owned(),
            image: config.image.unwrap_or_default(),
            state: state.status.map(|s| s.to_string()).unwrap_or_default(),
            health: state
                .health
                .and_then(|h| h.status)
                .map(|s| s.to_string())
                .filter(|s| s != "none")
                .unwrap_or_default(),
            started_at: state
                .started_at
                .as_deref()
                .and_then(parse_time_ms)
                .unwrap_or(0),
            exit_code: state.exit_code.unwrap_or(0),
            restart_count: c.restart_count.unwrap_or(0),
            heal_problems: problems.iter().map(ToString::to_string).collect(),
            ..std::mem::take(&mut self.info)
        };
        self.refresh_heal(roxy_core::time::now_ms());
    }

    /// Takes in a one-shot stats reading; CPU is the change since the previous one.
    pub fn apply_stats(&mut self, stats: &ContainerStatsResponse) {
        let cpu = stats.cpu_stats.as_ref().and_then(|c| {
            Some((
                c.cpu_usage.as_ref()?.total_usage?,
                c.system_cpu_usage?,
                c.online_cpus.unwrap_or(1).max(1),
            ))
        });
        if let Some((used, system, cores)) = cpu {
            if let Some((used_before, system_before)) = self.cpu {
                let system_delta = system.saturating_sub(system_before);
                if system_delta > 0 {
                    self.info.cpu_pct = used.saturating_sub(used_before) as f64
                        / system_delta as f64
                        * f64::from(cores)
                        * 100.0;
                }
            }
            self.cpu = Some((used, system));
        }
        if let Some(m) = &stats.memory_stats {
            // As `docker stats` does: page cache that can be dropped is not "used".
            let cache = m
                .stats
                .as_ref()
                .and_then(|s| s.get("inactive_file").or(s.get("total_inactive_file")))
                .copied()
                .unwrap_or(0);
            self.info.memory_bytes = m.usage.unwrap_or(0).saturating_sub(cache);
            self.info.memory_limit_bytes = m.limit.unwrap_or(0);
        }
    }

    /// Recomputes the self-healing columns: `off`, `watching`, `restarting` or `gave-up`, and
    /// the restarts inside the window ending at `now_ms`.
    pub fn refresh_heal(&mut self, now_ms: i64) {
        self.info.heal = if !self.policy.enabled {
            "off"
        } else if self.heal.gave_up() {
            "gave-up"
        } else if self.heal.pending() {
            "restarting"
        } else {
            "watching"
        }
        .into();
        self.info.heal_restarts = self.heal.recent_restarts(&self.policy, now_ms);
    }
}

/// RFC 3339 to Unix ms; the engine's "never" (year 1) becomes None.
fn parse_time_ms(text: &str) -> Option<i64> {
    let at = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    let ms = at.timestamp_millis();
    (ms > 0).then_some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_times() {
        assert_eq!(parse_time_ms("0001-01-01T00:00:00Z"), None);
        assert_eq!(
            parse_time_ms("2026-11-21T19:07:08.704236688Z"),
            Some(1_795_288_028_704)
        );
    }
}
