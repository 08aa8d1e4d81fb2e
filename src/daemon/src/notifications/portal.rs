//! Desktop notices through the Notification portal, for roxyd inside the Flatpak sandbox,
//! where `org.freedesktop.Notifications` is not reachable. The portal keys notices by our
//! own ids, so a notice key is the portal id.

use super::desktop::{Invoked, Notice, Urgency};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;
use zbus::zvariant::{OwnedValue, Value};
use zbus::Connection;

#[zbus::proxy(
    interface = "org.freedesktop.portal.Notification",
    default_service = "org.freedesktop.portal.Desktop",
    default_path = "/org/freedesktop/portal/desktop"
)]
trait PortalNotification {
    fn add_notification(
        &self,
        id: &str,
        notification: HashMap<&str, Value<'_>>,
    ) -> zbus::Result<()>;
    fn remove_notification(&self, id: &str) -> zbus::Result<()>;
    #[zbus(signal)]
    fn action_invoked(
        &self,
        id: String,
        action: String,
        parameter: Vec<OwnedValue>,
    ) -> zbus::Result<()>;
}

pub struct PortalNotifier {
    proxy: PortalNotificationProxy<'static>,
}

impl PortalNotifier {
    pub async fn start(
        conn: &Connection,
    ) -> zbus::Result<(Arc<Self>, mpsc::UnboundedReceiver<Invoked>)> {
        let proxy = PortalNotificationProxy::new(conn).await?;
        let mut invoked = proxy.receive_action_invoked().await?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(signal) = invoked.next().await {
                if let Ok(args) = signal.args() {
                    let _ = tx.send(Invoked {
                        key: args.id,
                        action: args.action,
                    });
                }
            }
        });
        Ok((Arc::new(Self { proxy }), rx))
    }

    pub async fn show(&self, notice: Notice) {
        let priority = match notice.urgency {
            Urgency::Critical => "urgent",
            Urgency::Normal => "normal",
        };
        let buttons: Vec<HashMap<&str, Value<'_>>> = notice
            .actions
            .iter()
            .filter(|(key, _)| key != "default")
            .map(|(key, label)| {
                HashMap::from([
                    ("label", Value::from(label.as_str())),
                    ("action", Value::from(key.as_str())),
                ])
            })
            .collect();
        let mut notification = HashMap::from([
            ("title", Value::from(notice.summary.as_str())),
            ("body", Value::from(notice.body.as_str())),
            ("priority", Value::from(priority)),
            ("buttons", Value::from(buttons)),
        ]);
        if notice.actions.iter().any(|(key, _)| key == "default") {
            notification.insert("default-action", Value::from("default"));
        }
        match self.proxy.add_notification(&notice.key, notification).await {
            Ok(()) => tracing::debug!(key = %notice.key, "notification sent to the portal"),
            Err(e) => tracing::info!(key = %notice.key, "notification not shown: {e}"),
        }
    }

    pub async fn withdraw(&self, key: &str) {
        if let Err(e) = self.proxy.remove_notification(key).await {
            tracing::debug!(key, "cannot withdraw notification: {e}");
        }
    }
}
