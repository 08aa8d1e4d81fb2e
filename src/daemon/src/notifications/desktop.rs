//! Desktop notices through `org.freedesktop.Notifications`, with actions.
//!
//! Each notice has a key (such as `run-12`): a new notice with the same key replaces the old
//! one on screen, and [`Notifier::withdraw`] closes it. When the person clicks an action the
//! server emits `ActionInvoked`; the key and the action go out on the channel that
//! [`Notifier::start`] returns, so the notifier knows nothing about what the actions do.

use futures_util::StreamExt;
use roxy_ipc::names::APP_ID;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use zbus::zvariant::Value;
use zbus::Connection;

#[zbus::proxy(
    interface = "org.freedesktop.Notifications",
    default_service = "org.freedesktop.Notifications",
    default_path = "/org/freedesktop/Notifications"
)]
trait Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: &[&str],
        hints: HashMap<&str, &Value<'_>>,
        expire_timeout: i32,
    ) -> zbus::Result<u32>;

    fn close_notification(&self, id: u32) -> zbus::Result<()>;

    #[zbus(signal)]
    fn action_invoked(&self, id: u32, action_key: String) -> zbus::Result<()>;

    #[zbus(signal)]
    fn notification_closed(&self, id: u32, reason: u32) -> zbus::Result<()>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Normal = 1,
    Critical = 2,
}

#[derive(Debug, Clone)]
pub struct Notice {
    /// Identifies what the notice is about; a later notice with the same key replaces it.
    pub key: String,
    pub summary: String,
    pub body: String,
    pub urgency: Urgency,
    /// `(action key, label)`. The key `default` is what a click on the notice does.
    pub actions: Vec<(String, String)>,
}

/// An action the person chose on one of our notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoked {
    pub key: String,
    pub action: String,
}

pub struct Notifier {
    proxy: NotificationsProxy<'static>,
    /// Notice key → id on the server, and back.
    shown: Mutex<HashMap<String, u32>>,
}

impl Notifier {
    pub async fn start(
        conn: &Connection,
    ) -> zbus::Result<(Arc<Self>, mpsc::UnboundedReceiver<Invoked>)> {
        let proxy = NotificationsProxy::new(conn).await?;
        let notifier = Arc::new(Self {
            proxy: proxy.clone(),
            shown: Mutex::default(),
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let mut invoked = proxy.receive_action_invoked().await?;
        let mut closed = proxy.receive_notification_closed().await?;
        let weak = Arc::downgrade(&notifier);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    // An action comes before the close that follows it.
                    biased;
                    Some(signal) = invoked.next() => {
                        let Ok(args) = signal.args() else { continue };
                        let Some(notifier) = weak.upgrade() else { break };
                        if let Some(key) = notifier.key_of(args.id) {
                            let _ = tx.send(Invoked { key, action: args.action_key });
                        }
                    }
                    Some(signal) = closed.next() => {
                        let Ok(args) = signal.args() else { continue };
                        let Some(notifier) = weak.upgrade() else { break };
                        notifier.forget(args.id);
                    }
                    else => break,
                }
            }
        });
        Ok((notifier, rx))
    }

    /// Shows `notice`, replacing a shown notice with the same key. Without a notification
    /// server this only logs: notices are a courtesy, never a reason for a run to fail.
    pub async fn show(&self, notice: Notice) {
        let replaces = self
            .shown
            .lock()
            .unwrap()
            .get(&notice.key)
            .copied()
            .unwrap_or(0);
        let actions: Vec<&str> = notice
            .actions
            .iter()
            .flat_map(|(key, label)| [key.as_str(), label.as_str()])
            .collect();
        let urgency = Value::U8(notice.urgency as u8);
        let entry = Value::from(APP_ID);
        let hints = HashMap::from([("urgency", &urgency), ("desktop-entry", &entry)]);
        // Critical notices stay until dismissed; the server decides for the others.
        let expire = if notice.urgency == Urgency::Critical {
            0
        } else {
            -1
        };
        match self
            .proxy
            .notify(
                "Roxy",
                replaces,
                APP_ID,
                &notice.summary,
                &notice.body,
                &actions,
                hints,
                expire,
            )
            .await
        {
            Ok(id) => {
                tracing::debug!(id, key = %notice.key, "notification shown");
                self.shown.lock().unwrap().insert(notice.key, id);
            }
            Err(e) => tracing::info!(key = %notice.key, "notification not shown: {e}"),
        }
    }

    /// Closes the notice with this key, if one is shown.
    pub async fn withdraw(&self, key: &str) {
        let id = self.shown.lock().unwrap().remove(key);
        if let Some(id) = id {
            if let Err(e) = self.proxy.close_notification(id).await {
                tracing::debug!(id, "cannot close notification: {e}");
            }
        }
    }

    fn key_of(&self, id: u32) -> Option<String> {
        self.shown
            .lock()
            .unwrap()
            .iter()
            .find(|(_, shown)| **shown == id)
            .map(|(key, _)| key.clone())
    }

    fn forget(&self, id: u32) {
        self.shown.lock().unwrap().retain(|_, shown| *shown != id);
    }
}
