//! What roxyd tells the person about, and how loudly: event kinds, the profile chosen for
//! each (critical, info, digest or off), the gate that keeps a flapping source from spamming,
//! the digest that collects what was held back, and outgoing webhooks.

pub mod digest;
pub mod gate;
pub mod webhook;

use std::fmt;

/// Something worth telling the person about. Each kind has its own profile setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    RunFailed,
    ApprovalNeeded,
    RunFinished,
    SecretsFound,
    AlertFired,
    AlertResolved,
    ContainerHealed,
    CrmDue,
    /// OBS: frames dropped, disk almost full, stream disconnected.
    BroadcastHealth,
}

impl EventKind {
    pub const ALL: [EventKind; 9] = [
        EventKind::RunFailed,
        EventKind::ApprovalNeeded,
        EventKind::RunFinished,
        EventKind::SecretsFound,
        EventKind::AlertFired,
        EventKind::AlertResolved,
        EventKind::ContainerHealed,
        EventKind::CrmDue,
        EventKind::BroadcastHealth,
    ];

    pub fn id(self) -> &'static str {
        match self {
            EventKind::RunFailed => "run.failed",
            EventKind::ApprovalNeeded => "run.approval",
            EventKind::RunFinished => "run.finished",
            EventKind::SecretsFound => "secrets.found",
            EventKind::AlertFired => "alert.fired",
            EventKind::AlertResolved => "alert.resolved",
            EventKind::ContainerHealed => "container.healed",
            EventKind::CrmDue => "crm.due",
            EventKind::BroadcastHealth => "broadcast.health",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// A failure or a waiting approval interrupts; everything else can wait.
    pub fn default_profile(self) -> Profile {
        match self {
            EventKind::RunFailed
            | EventKind::ApprovalNeeded
            | EventKind::AlertFired
            | EventKind::BroadcastHealth => Profile::Critical,
            EventKind::RunFinished
            | EventKind::SecretsFound
            | EventKind::AlertResolved
            | EventKind::ContainerHealed
            | EventKind::CrmDue => Profile::Info,
        }
    }

    /// Events that wait for the person (an approval) pass the rate limit and are never taken
    /// for duplicates: each one unblocks something.
    pub fn awaits_answer(self) -> bool {
        self == EventKind::ApprovalNeeded
    }

    /// The settings key that holds the chosen profile.
    pub fn setting_key(self) -> String {
        format!("notify.profile.{}", self.id())
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How an event reaches the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// At once, urgent, stays until dismissed, shown even during Do Not Disturb.
    Critical,
    /// At once as an ordinary notice; held for the digest during Do Not Disturb.
    Info,
    /// Collected and sent as one summary notice at the digest interval.
    Digest,
    /// Not at all.
    Off,
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Critical,
        Profile::Info,
        Profile::Digest,
        Profile::Off,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Profile::Critical => "critical",
            Profile::Info => "info",
            Profile::Digest => "digest",
            Profile::Off => "off",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Settings key: Roxy's own Do Not Disturb switch ("true" while on).
pub const DO_NOT_DISTURB: &str = "notify.dnd";
/// Settings key: minutes between digests.
pub const DIGEST_MINUTES: &str = "notify.digest_minutes";
pub const DEFAULT_DIGEST_MINUTES: u32 = 60;
/// Digests more often than this would be no digest; less often than a day, no news.
pub const DIGEST_MINUTES_RANGE: std::ops::RangeInclusive<u32> = 5..=1440;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.id()), Some(kind));
        }
        for profile in Profile::ALL {
            assert_eq!(Profile::parse(profile.id()), Some(profile));
        }
        assert_eq!(EventKind::parse("run"), None);
        assert_eq!(Profile::parse("loud"), None);
        assert_eq!(
            EventKind::RunFailed.setting_key(),
            "notify.profile.run.failed"
        );
    }
}
