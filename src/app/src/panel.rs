//! The sidebar entries: seven panels and the jobs view.

use roxy_ipc::i18n::gettext;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PanelId {
    Infrastructure,
    Broadcast,
    Voice,
    Crm,
    Docs,
    Runbooks,
    Metrics,
    Jobs,
}

impl PanelId {
    /// Sidebar order; Ctrl+1 … Ctrl+7 select the first seven.
    pub const ALL: [PanelId; 8] = [
        PanelId::Infrastructure,
        PanelId::Broadcast,
        PanelId::Voice,
        PanelId::Crm,
        PanelId::Docs,
        PanelId::Runbooks,
        PanelId::Metrics,
        PanelId::Jobs,
    ];

    /// Stable name used in settings, `--screenshot` and the view stack.
    pub fn id(self) -> &'static str {
        match self {
            PanelId::Infrastructure => "infrastructure",
            PanelId::Broadcast => "broadcast",
            PanelId::Voice => "voice",
            PanelId::Crm => "crm",
            PanelId::Docs => "docs",
            PanelId::Runbooks => "runbooks",
            PanelId::Metrics => "metrics",
            PanelId::Jobs => "jobs",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    pub fn title(self) -> String {
        match self {
            PanelId::Infrastructure => gettext("Infrastructure"),
            PanelId::Broadcast => gettext("Broadcast"),
            PanelId::Voice => gettext("Voice"),
            PanelId::Crm => gettext("CRM"),
            PanelId::Docs => gettext("Docs"),
            PanelId::Runbooks => gettext("Runbooks"),
            PanelId::Metrics => gettext("Metrics"),
            PanelId::Jobs => gettext("Jobs"),
        }
    }

    /// Icon names that exist in Adwaita 43.
    pub fn icon(self) -> &'static str {
        match self {
            PanelId::Infrastructure => "network-server-symbolic",
            PanelId::Broadcast => "camera-video-symbolic",
            PanelId::Voice => "audio-input-microphone-symbolic",
            PanelId::Crm => "system-users-symbolic",
            PanelId::Docs => "accessories-dictionary-symbolic",
            PanelId::Runbooks => "view-list-bullet-symbolic",
            PanelId::Metrics => "power-profile-performance-symbolic",
            PanelId::Jobs => "emblem-system-symbolic",
        }
    }

    /// The keyboard accelerator that selects this panel.
    pub fn accelerator(self) -> &'static str {
        match self {
            PanelId::Infrastructure => "<Control>1",
            PanelId::Broadcast => "<Control>2",
            PanelId::Voice => "<Control>3",
            PanelId::Crm => "<Control>4",
            PanelId::Docs => "<Control>5",
            PanelId::Runbooks => "<Control>6",
            PanelId::Metrics => "<Control>7",
            PanelId::Jobs => "<Control>j",
        }
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_accelerators_and_icons_are_unique_and_round_trip() {
        let ids: HashSet<_> = PanelId::ALL.iter().map(|p| p.id()).collect();
        let accels: HashSet<_> = PanelId::ALL.iter().map(|p| p.accelerator()).collect();
        let icons: HashSet<_> = PanelId::ALL.iter().map(|p| p.icon()).collect();
        assert_eq!(ids.len(), PanelId::ALL.len());
        assert_eq!(accels.len(), PanelId::ALL.len());
        assert_eq!(icons.len(), PanelId::ALL.len());
        for p in PanelId::ALL {
            assert_eq!(PanelId::from_id(p.id()), Some(p));
            assert_eq!(PanelId::ALL[p.index()], p);
        }
        assert_eq!(PanelId::from_id("nope"), None);
    }
}
