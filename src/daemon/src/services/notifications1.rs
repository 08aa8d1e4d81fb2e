//! `Notifications1`: how loudly each kind of event is told, Do Not Disturb, the digest,
//! muted sources and outgoing webhooks.

use super::caller;
use crate::notifications::Notices;
use crate::runbooks::Engine;
use crate::secrets::SecretStore;
use roxy_core::notify::webhook::Webhook;
use roxy_core::notify::{EventKind, Profile, DIGEST_MINUTES_RANGE};
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{MutedSource, NoticeKind, NoticeStatus, RoxyError, WebhookInfo};
use std::sync::Arc;
use zbus::message::Header;
use zbus::{interface, Connection};

pub struct NotificationsService {
    notices: Arc<Notices>,
    engine: Arc<Engine>,
    store: Store,
    secrets: Arc<SecretStore>,
}

impl NotificationsService {
    pub fn new(
        notices: Arc<Notices>,
        engine: Arc<Engine>,
        store: Store,
        secrets: Arc<SecretStore>,
    ) -> Self {
        Self {
            notices,
            engine,
            store,
            secrets,
        }
    }

    async fn audit(&self, header: &Header<'_>, conn: &Connection, action: &str, target: &str) {
        let actor = caller::describe(conn, header).await;
        self.engine.audit(&actor, action, target, "ok", "").await;
    }
}

pub fn kind_label(kind: EventKind) -> String {
    match kind {
        EventKind::RunFailed => gettext("A runbook failed"),
        EventKind::ApprovalNeeded => gettext("A runbook needs approval"),
        EventKind::RunFinished => gettext("A long runbook finished"),
        EventKind::SecretsFound => gettext("A secret scan found credentials"),
        EventKind::AlertFired => gettext("An alert fired"),
        EventKind::AlertResolved => gettext("An alert resolved"),
        EventKind::ContainerHealed => gettext("A restarted container is running again"),
        EventKind::CrmDue => gettext("A CRM next action is due"),
        EventKind::BroadcastHealth => gettext("A stream or recording is in trouble"),
    }
}

fn failed(e: impl std::fmt::Display) -> RoxyError {
    RoxyError::Failed(e.to_string())
}

fn webhook_info(hook: &Webhook, last_result: String) -> WebhookInfo {
    WebhookInfo {
        name: hook.name.clone(),
        url: hook.url.clone(),
        format: hook.format.id().to_owned(),
        profiles: hook.profiles.iter().map(|p| p.id().to_owned()).collect(),
        secret: hook.secret.clone(),
        last_result,
    }
}

#[interface(name = "io.github.skybeam.Roxy.Notifications1")]
impl NotificationsService {
    async fn kinds(&self) -> Vec<NoticeKind> {
        let mut kinds = Vec::new();
        for kind in EventKind::ALL {
            kinds.push(NoticeKind {
                id: kind.id().to_owned(),
                label: kind_label(kind),
                profile: self.notices.profile(kind).await.id().to_owned(),
            });
        }
        kinds
    }

    async fn set_profile(
        &self,
        kind: String,
        profile: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        let ids: Vec<&str> = EventKind::ALL.iter().map(|k| k.id()).collect();
        let Some(event_kind) = EventKind::parse(&kind) else {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("kind: “{}” is not one of: {}"),
                &[&kind, &ids.join(", ")],
            )));
        };
        let Some(chosen) = Profile::parse(&profile) else {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("profile: “{}” is not one of: critical, info, digest, off"),
                &[&profile],
            )));
        };
        self.notices
            .set_profile(event_kind, chosen)
            .await
            .map_err(failed)?;
        self.audit(
            &header,
            conn,
            "notify.profile",
            &format!("{kind}={profile}"),
        )
        .await;
        Ok(())
    }

    async fn status(&self) -> NoticeStatus {
        let dnd = self.notices.dnd().await;
        NoticeStatus {
            do_not_disturb: dnd.own,
            desktop_do_not_disturb: dnd.desktop.unwrap_or_default().to_owned(),
            digest_minutes: self.notices.digest_minutes().await,
            digest_pending: self.notices.digest_pending(),
        }
    }

    async fn set_do_not_disturb(
        &self,
        on: bool,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        self.notices.set_dnd(on).await.map_err(failed)?;
        let target = if on { "on" } else { "off" };
        self.audit(&header, conn, "notify.dnd", target).await;
        self.engine.refresh_tray().await;
        Ok(())
    }

    async fn set_digest_minutes(&self, minutes: u32) -> Result<(), RoxyError> {
        if !DIGEST_MINUTES_RANGE.contains(&minutes) {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("minutes: {} is outside {}–{}"),
                &[
                    &minutes,
                    DIGEST_MINUTES_RANGE.start(),
                    DIGEST_MINUTES_RANGE.end(),
                ],
            )));
        }
        self.notices
            .set_digest_minutes(minutes)
            .await
            .map_err(failed)
    }

    async fn flush_digest(&self) -> u32 {
        self.notices.flush_digest().await
    }

    async fn muted(&self) -> Vec<MutedSource> {
        self.notices
            .muted()
            .await
            .into_iter()
            .map(|(source, until)| MutedSource { source, until })
            .collect()
    }

    async fn unmute(
        &self,
        source: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<bool, RoxyError> {
        let was = self.notices.mute(&source, None).await.map_err(failed)?;
        if was {
            self.audit(&header, conn, "notify.unmute", &source).await;
        }
        Ok(was)
    }

    async fn webhooks(&self) -> Result<Vec<WebhookInfo>, RoxyError> {
        let hooks = self.store.webhooks().await.map_err(failed)?;
        Ok(hooks
            .iter()
            .map(|h| webhook_info(h, self.notices.webhook_result(&h.name)))
            .collect())
    }

    async fn save_webhook(
        &self,
        webhook: WebhookInfo,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        let hook = Webhook::parse(
            &webhook.name,
            &webhook.url,
            &webhook.format,
            &webhook.profiles,
            &webhook.secret,
        )
        .map_err(|e| RoxyError::InvalidInput(e.to_string()))?;
        // A missing token would only show up as failed deliveries later; say it now. An
        // unreachable store is not a reason to refuse.
        if !hook.secret.is_empty() {
            if let Ok(None) = self.secrets.get(&hook.secret).await {
                return Err(RoxyError::InvalidInput(fill(
                    &gettext("secret: “{}” is not in the secret store; add it with `roxyctl secret set {}`"),
                    &[&hook.secret, &hook.secret],
                )));
            }
        }
        self.store.save_webhook(&hook).await.map_err(failed)?;
        self.audit(&header, conn, "webhook.save", &hook.name).await;
        Ok(())
    }

    async fn remove_webhook(
        &self,
        name: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<bool, RoxyError> {
        let found = self.store.remove_webhook(&name).await.map_err(failed)?;
        if found {
            self.audit(&header, conn, "webhook.remove", &name).await;
        }
        Ok(found)
    }

    async fn test_webhook(&self, name: String) -> Result<String, RoxyError> {
        let hooks = self.store.webhooks().await.map_err(failed)?;
        let Some(hook) = hooks.iter().find(|h| h.name == name) else {
            return Err(RoxyError::NotFound(fill(
                &gettext("No webhook named “{}”."),
                &[&name],
            )));
        };
        self.notices
            .test_webhook(hook)
            .await
            .map_err(RoxyError::Failed)
    }
}
