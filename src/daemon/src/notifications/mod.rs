//! Everything roxyd tells the person goes through [`Notices`]: it looks up the profile chosen
//! for the event's kind, drops duplicates, holds back floods, respects Do Not Disturb, shows
//! desktop notices, collects the digest and queues webhooks.

mod desktop;
mod dnd;
mod portal;
mod webhooks;

pub use desktop::{Invoked, Notice, Notifier, Urgency};
use portal::PortalNotifier;
pub use webhooks::Outgoing;

use crate::secrets::SecretStore;
use roxy_core::notify::digest::{Digest, DigestEntry, DigestReport};
use roxy_core::notify::gate::{Admission, Gate, Limits};
use roxy_core::notify::webhook::Webhook;
use roxy_core::notify::{self, EventKind, Profile};
use roxy_core::time::now_ms;
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext, ngettext};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::mpsc;
use webhooks::WebhookSender;
use zbus::Connection;

/// How long "Mute" silences a source.
pub const MUTE_FOR: Duration = Duration::from_secs(24 * 3600);
/// Settings key: source → muted until (Unix ms), as JSON.
const MUTED: &str = "notify.muted";
/// The notice key of the digest.
pub const DIGEST_KEY: &str = "digest";
/// How often the digest timer looks at the clock and at Do Not Disturb.
const TICK: Duration = Duration::from_secs(30);

/// Where desktop notices go: the notification server, or the portal inside the sandbox
/// (or when `ROXY_NOTIFICATIONS=portal` asks for it).
enum Desktop {
    Server(Arc<Notifier>),
    Portal(Arc<PortalNotifier>),
}

impl Desktop {
    async fn start(conn: &Connection) -> zbus::Result<(Self, mpsc::UnboundedReceiver<Invoked>)> {
        let portal = crate::autostart::sandboxed()
            || std::env::var("ROXY_NOTIFICATIONS").is_ok_and(|v| v == "portal");
        if portal {
            let (notifier, rx) = PortalNotifier::start(conn).await?;
            tracing::info!("desktop notices go through the Notification portal");
            Ok((Desktop::Portal(notifier), rx))
        } else {
            let (notifier, rx) = Notifier::start(conn).await?;
            Ok((Desktop::Server(notifier), rx))
        }
    }

    async fn show(&self, notice: Notice) {
        match self {
            Desktop::Server(n) => n.show(notice).await,
            Desktop::Portal(p) => p.show(notice).await,
        }
    }

    async fn withdraw(&self, key: &str) {
        match self {
            Desktop::Server(n) => n.withdraw(key).await,
            Desktop::Portal(p) => p.withdraw(key).await,
        }
    }
}

/// One thing to tell the person.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    /// What it is about, for rate limiting and muting (`runbook:backup`, `container:web`).
    pub source: String,
    /// A later event with the same key replaces this one's notice.
    pub key: String,
    pub summary: String,
    pub body: String,
    /// `(action key, label)`; `default` is a click on the notice.
    pub actions: Vec<(String, String)>,
}

/// Do Not Disturb, Roxy's own switch and the desktop's.
#[derive(Debug, Clone, Default)]
pub struct DndState {
    pub own: bool,
    /// The desktop whose Do Not Disturb is on.
    pub desktop: Option<&'static str>,
}

impl DndState {
    pub fn active(&self) -> bool {
        self.own || self.desktop.is_some()
    }
}

pub struct Notices {
    conn: Connection,
    store: Store,
    desktop: Option<Desktop>,
    gate: Mutex<Gate>,
    digest: Mutex<Digest>,
    webhooks: Arc<WebhookSender>,
    /// Notice key → the source it came from, for "Mute".
    sources: Mutex<HashMap<String, String>>,
}

impl Notices {
    /// Connects to the desktop's notification server (if any) and starts the digest timer.
    /// "Mute" and clicks on the digest are handled here; the receiver yields every other
    /// action people choose on notices.
    pub async fn start(
        conn: &Connection,
        store: Store,
        secrets: Arc<SecretStore>,
    ) -> (Arc<Self>, mpsc::UnboundedReceiver<Invoked>) {
        let (desktop, invoked) = match Desktop::start(conn).await {
            Ok((d, rx)) => (Some(d), Some(rx)),
            Err(e) => {
                tracing::warn!("desktop notifications are off: {e}");
                (None, None)
            }
        };
        let notices = Arc::new(Self {
            conn: conn.clone(),
            webhooks: WebhookSender::new(store.clone(), secrets),
            store,
            desktop,
            gate: Mutex::new(Gate::new(Limits::default())),
            digest: Mutex::default(),
            sources: Mutex::default(),
        });
        spawn_digest_timer(Arc::downgrade(&notices));
        let (forward, rest) = mpsc::unbounded_channel();
        if let Some(invoked) = invoked {
            spawn_action_filter(Arc::downgrade(&notices), invoked, forward);
        }
        (notices, rest)
    }

    /// "Mute" on a notice: silences its source for [`MUTE_FOR`] and says so.
    async fn mute_from_notice(&self, key: &str) {
        let source = self.sources.lock().unwrap().get(key).cloned();
        let Some(source) = source else { return };
        if let Err(e) = self.mute(&source, Some(MUTE_FOR)).await {
            return tracing::warn!("cannot mute {source}: {e}");
        }
        let summary = fill(&gettext("Muted “{}” for 24 hours"), &[&source]);
        self.show(Notice {
            key: key.to_owned(),
            summary,
            body: gettext("Unmute it in Preferences or with `roxyctl notify unmute`."),
            urgency: Urgency::Normal,
            actions: Vec::new(),
        })
        .await;
    }

    pub async fn profile(&self, kind: EventKind) -> Profile {
        match self.store.setting(&kind.setting_key()).await {
            Ok(Some(id)) => Profile::parse(&id).unwrap_or(kind.default_profile()),
            _ => kind.default_profile(),
        }
    }

    pub async fn set_profile(&self, kind: EventKind, profile: Profile) -> anyhow::Result<()> {
        Ok(self
            .store
            .set_setting(&kind.setting_key(), profile.id())
            .await?)
    }

    pub async fn dnd(&self) -> DndState {
        DndState {
            own: self.store.flag(notify::DO_NOT_DISTURB).await,
            desktop: dnd::desktop_do_not_disturb(&self.conn).await,
        }
    }

    /// Turning Roxy's own Do Not Disturb off delivers what it held back.
    pub async fn set_dnd(&self, on: bool) -> anyhow::Result<()> {
        self.store
            .set_setting(notify::DO_NOT_DISTURB, if on { "true" } else { "false" })
            .await?;
        if !on && !self.dnd().await.active() {
            self.flush_digest().await;
        }
        Ok(())
    }

    pub async fn digest_minutes(&self) -> u32 {
        match self.store.setting(notify::DIGEST_MINUTES).await {
            Ok(Some(v)) => v
                .parse()
                .ok()
                .filter(|m| notify::DIGEST_MINUTES_RANGE.contains(m))
                .unwrap_or(notify::DEFAULT_DIGEST_MINUTES),
            _ => notify::DEFAULT_DIGEST_MINUTES,
        }
    }

    pub async fn set_digest_minutes(&self, minutes: u32) -> anyhow::Result<()> {
        Ok(self
            .store
            .set_setting(notify::DIGEST_MINUTES, &minutes.to_string())
            .await?)
    }

    pub fn digest_pending(&self) -> u32 {
        self.digest.lock().unwrap().pending()
    }

    pub async fn muted(&self) -> BTreeMap<String, i64> {
        let now = now_ms();
        let mut muted: BTreeMap<String, i64> = match self.store.setting(MUTED).await {
            Ok(Some(json)) => serde_json::from_str(&json).unwrap_or_default(),
            _ => BTreeMap::new(),
        };
        muted.retain(|_, until| *until > now);
        muted
    }

    /// Mutes `source` for `duration`; `None` unmutes it. Returns whether it was muted before.
    pub async fn mute(&self, source: &str, duration: Option<Duration>) -> anyhow::Result<bool> {
        let mut muted = self.muted().await;
        let was = match duration {
            Some(d) => muted
                .insert(source.to_owned(), now_ms() + d.as_millis() as i64)
                .is_some(),
            None => muted.remove(source).is_some(),
        };
        self.store
            .set_setting(MUTED, &serde_json::to_string(&muted)?)
            .await?;
        Ok(was)
    }

    /// Tells the person about `event`, as loudly as its kind's profile says. Never waits on
    /// a webhook.
    pub async fn publish(&self, event: Event) {
        let profile = self.profile(event.kind).await;
        if profile == Profile::Off {
            return;
        }
        if self.muted().await.contains_key(&event.source) {
            tracing::debug!(source = %event.source, "muted; notice dropped");
            return;
        }
        let fingerprint = format!("{}|{}|{}", event.kind, event.summary, event.body);
        let admission = if event.kind.awaits_answer() {
            Admission::Pass
        } else {
            self.gate
                .lock()
                .unwrap()
                .admit(&event.source, &fingerprint, now_ms())
        };
        match admission {
            Admission::Pass => {}
            Admission::Duplicate => {
                return tracing::debug!(source = %event.source, "duplicate notice dropped")
            }
            Admission::Limited => {
                tracing::info!(source = %event.source, "too many notices; held for the digest");
                return self.digest.lock().unwrap().hold_back(&event.source);
            }
        }
        // Digest events reach webhooks inside the digest; Do Not Disturb is about this desk,
        // not about the phone that a webhook may reach.
        if profile != Profile::Digest {
            self.webhooks.send(Outgoing {
                event: event.kind.id().to_owned(),
                profile,
                summary: event.summary.clone(),
                body: event.body.clone(),
                at_ms: now_ms(),
            });
        }
        let to_digest = match profile {
            Profile::Critical => false,
            Profile::Info => self.dnd().await.active(),
            Profile::Digest | Profile::Off => true,
        };
        if to_digest {
            self.digest.lock().unwrap().push(DigestEntry {
                kind: event.kind,
                summary: event.summary,
                at_ms: now_ms(),
            });
            return;
        }
        let urgency = if profile == Profile::Critical {
            Urgency::Critical
        } else {
            Urgency::Normal
        };
        let mut actions = event.actions;
        actions.push(("mute".into(), gettext("Mute")));
        self.sources
            .lock()
            .unwrap()
            .insert(event.key.clone(), event.source);
        self.show(Notice {
            key: event.key,
            summary: event.summary,
            body: event.body,
            urgency,
            actions,
        })
        .await;
    }

    /// Shows a notice as is, past profiles and limits: for answers to what the person just did.
    pub async fn show(&self, notice: Notice) {
        if let Some(desktop) = &self.desktop {
            desktop.show(notice).await;
        }
    }

    pub async fn withdraw(&self, key: &str) {
        if let Some(desktop) = &self.desktop {
            desktop.withdraw(key).await;
        }
    }

    /// Sends the digest now, if it holds anything; returns how many events it covered.
    pub async fn flush_digest(&self) -> u32 {
        let Some(report) = self.digest.lock().unwrap().take() else {
            return 0;
        };
        let count = report.count();
        let (summary, body) = digest_text(&report);
        self.webhooks.send(Outgoing {
            event: DIGEST_KEY.into(),
            profile: Profile::Digest,
            summary: summary.clone(),
            body: body.clone(),
            at_ms: now_ms(),
        });
        self.show(Notice {
            key: DIGEST_KEY.into(),
            summary,
            body,
            urgency: Urgency::Normal,
            actions: vec![("default".into(), gettext("Open"))],
        })
        .await;
        count
    }

    pub fn webhook_result(&self, name: &str) -> String {
        self.webhooks.last_result(name)
    }

    /// Sends a test message to one webhook now and says how it went.
    pub async fn test_webhook(&self, hook: &Webhook) -> Result<String, String> {
        let outgoing = Outgoing {
            event: "test".into(),
            profile: hook.profiles[0],
            summary: gettext("Test message from Roxy"),
            body: gettext("If you can read this, the webhook works."),
            at_ms: now_ms(),
        };
        self.webhooks.test(hook, &outgoing).await
    }
}

/// The digest as a notice: a count in the summary, one line per event in the body.
fn digest_text(report: &DigestReport) -> (String, String) {
    const SHOWN: usize = 8;
    let count = report.count();
    let summary = fill(
        &ngettext("Roxy: {} event", "Roxy: {} events", count),
        &[&count],
    );
    let mut lines: Vec<String> = report
        .entries
        .iter()
        .rev()
        .take(SHOWN)
        .map(|e| e.summary.clone())
        .collect();
    if report.entries.len() > SHOWN {
        let more = (report.entries.len() - SHOWN) as u32;
        lines.push(fill(
            &ngettext("and {} more", "and {} more", more),
            &[&more],
        ));
    }
    for (source, n) in &report.held_back {
        lines.push(fill(
            &ngettext(
                "{}: {} notice held back (too many)",
                "{}: {} notices held back (too many)",
                *n,
            ),
            &[source, n],
        ));
    }
    (summary, lines.join("\n"))
}

fn spawn_action_filter(
    notices: Weak<Notices>,
    mut invoked: mpsc::UnboundedReceiver<Invoked>,
    forward: mpsc::UnboundedSender<Invoked>,
) {
    tokio::spawn(async move {
        while let Some(action) = invoked.recv().await {
            let Some(notices) = notices.upgrade() else {
                break;
            };
            match (action.key.as_str(), action.action.as_str()) {
                (key, "mute") => notices.mute_from_notice(key).await,
                (DIGEST_KEY, _) => crate::window::open().await,
                _ => {
                    let _ = forward.send(action);
                }
            }
        }
    });
}

/// Sends the digest every interval, and as soon as Do Not Disturb ends; while it is on,
/// the digest waits.
fn spawn_digest_timer(notices: Weak<Notices>) {
    tokio::spawn(async move {
        let mut last_sent = tokio::time::Instant::now();
        let mut was_quiet = false;
        loop {
            tokio::time::sleep(TICK).await;
            let Some(notices) = notices.upgrade() else {
                break;
            };
            if notices.digest_pending() == 0 {
                was_quiet = false;
                last_sent = tokio::time::Instant::now();
                continue;
            }
            let quiet = notices.dnd().await.active();
            let interval = Duration::from_secs(u64::from(notices.digest_minutes().await) * 60);
            let due = last_sent.elapsed() >= interval || (was_quiet && !quiet);
            was_quiet = quiet;
            if due && !quiet {
                notices.flush_digest().await;
                last_sent = tokio::time::Instant::now();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_text_counts_and_lists() {
        let mut digest = Digest::default();
        for i in 0..10 {
            digest.push(DigestEntry {
                kind: EventKind::RunFinished,
                summary: format!("run {i}"),
                at_ms: i,
            });
        }
        digest.hold_back("runbook:flaky");
        let (summary, body) = digest_text(&digest.take().unwrap());
        assert_eq!(summary, "Roxy: 11 events");
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines[0], "run 9");
        assert_eq!(lines[8], "and 2 more");
        assert_eq!(lines[9], "runbook:flaky: 1 notice held back (too many)");
    }
}
