//! The CRM backend roxyd serves: the embedded SQLite database, or a shared PostgreSQL
//! database when a `database-url` is set (the secret `crm-database-url`, else the
//! `ROXY_DATABASE_URL` environment variable). Also the daily rescoring and the notices for
//! next actions that fall due.

use crate::notifications::{Event, Notices};
use crate::secrets::SecretStore;
use roxy_core::crm::{redact, Crm};
use roxy_core::notify::EventKind;
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// The secret that holds the PostgreSQL URL (it carries a password).
pub const DATABASE_URL_SECRET: &str = "crm-database-url";
pub const DATABASE_URL_ENV: &str = "ROXY_DATABASE_URL";
/// How often due next actions are looked for.
const DUE_CHECK_EVERY: Duration = Duration::from_secs(600);

enum Backend {
    Ready {
        crm: Crm,
        label: String,
    },
    /// The configured shared database could not be opened; the CRM says why instead of
    /// quietly writing to another database.
    Broken {
        label: String,
        error: String,
    },
}

pub struct CrmHub {
    backend: RwLock<Backend>,
    store: Store,
    secrets: Arc<SecretStore>,
    /// `lead id|due date` already announced, so each due action is told once.
    announced: Mutex<HashSet<String>>,
    notices: Arc<Notices>,
}

impl CrmHub {
    pub async fn start(
        store: Store,
        secrets: Arc<SecretStore>,
        notices: Arc<Notices>,
    ) -> Arc<Self> {
        let url = configured_url(&secrets).await;
        let backend = open(&store, url.as_deref()).await;
        let hub = Arc::new(Self {
            backend: RwLock::new(backend),
            store,
            secrets,
            announced: Mutex::default(),
            notices,
        });
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(DUE_CHECK_EVERY);
            let mut last_rescore = None;
            loop {
                tick.tick().await;
                let Some(hub) = weak.upgrade() else { break };
                // Timeline points depend on today's date: rescore once a day.
                let today = roxy_core::crm::today();
                if last_rescore != Some(today) {
                    let crm = hub.crm();
                    if let Ok(crm) = crm {
                        match crm.rescore_all().await {
                            Ok(n) => tracing::info!(changed = n, "CRM leads rescored"),
                            Err(e) => tracing::warn!("CRM rescoring failed: {e}"),
                        }
                    }
                    last_rescore = Some(today);
                }
                hub.announce_due().await;
            }
        });
        hub
    }

    /// The open CRM, or why there is none.
    pub fn crm(&self) -> Result<Crm, RoxyError> {
        match &*self.backend.read().unwrap() {
            Backend::Ready { crm, .. } => Ok(crm.clone()),
            Backend::Broken { label, error } => Err(RoxyError::Unavailable(fill(
                &gettext("The shared CRM database {} cannot be used: {}. Fix it, or clear the database URL with `roxyctl crm backend --sqlite`."),
                &[label, error],
            ))),
        }
    }

    pub fn label(&self) -> String {
        match &*self.backend.read().unwrap() {
            Backend::Ready { label, .. } | Backend::Broken { label, .. } => label.clone(),
        }
    }

    /// Switches to `url` (empty: the embedded database) and remembers it in the secret store.
    /// A URL that does not connect is refused and nothing changes.
    pub async fn switch(&self, url: &str) -> Result<String, RoxyError> {
        let url = url.trim();
        let next = open(&self.store, (!url.is_empty()).then_some(url)).await;
        if let Backend::Broken { error, label } = &next {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("database-url: {} cannot be used: {}"),
                &[label, error],
            )));
        }
        if url.is_empty() {
            self.secrets.delete(DATABASE_URL_SECRET).await?;
        } else {
            self.secrets.set(DATABASE_URL_SECRET, url).await?;
        }
        let old = std::mem::replace(&mut *self.backend.write().unwrap(), next);
        if let Backend::Ready { crm, .. } = old {
            crm.close().await;
        }
        Ok(self.label())
    }

    /// Tells each next action that is due (today or overdue) once per due date.
    pub async fn announce_due(&self) {
        let Ok(crm) = self.crm() else { return };
        let due = match crm.today_list().await {
            Ok(due) => due,
            Err(e) => return tracing::warn!("CRM today list: {e}"),
        };
        for item in due {
            let key = format!("{}|{}", item.lead_id, item.due);
            if !self.announced.lock().unwrap().insert(key) {
                continue;
            }
            let summary = if item.overdue {
                fill(&gettext("Overdue: {}"), &[&item.action])
            } else {
                fill(&gettext("Due today: {}"), &[&item.action])
            };
            let event = Event {
                kind: EventKind::CrmDue,
                source: format!("crm:lead:{}", item.lead_id),
                key: format!("crm:lead:{}", item.lead_id),
                summary,
                body: fill(&gettext("{} (due {})"), &[&item.contact_name, &item.due]),
                actions: vec![("default".into(), gettext("Open"))],
            };
            self.notices.publish(event).await;
        }
    }
}

async fn configured_url(secrets: &SecretStore) -> Option<String> {
    // Only look in the keyring when one is already running: roxyd must start without one.
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        match secrets.get(DATABASE_URL_SECRET).await {
            Ok(Some(url)) if !url.trim().is_empty() => return Some(url.trim().to_owned()),
            Ok(_) => {}
            Err(e) => tracing::debug!("no CRM database URL from the secret store: {e}"),
        }
    }
    std::env::var(DATABASE_URL_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())
}

async fn open(store: &Store, url: Option<&str>) -> Backend {
    match url {
        None => match Crm::sqlite(store).await {
            Ok(crm) => Backend::Ready {
                crm,
                label: "sqlite".into(),
            },
            Err(e) => Backend::Broken {
                label: "sqlite".into(),
                error: e.to_string(),
            },
        },
        Some(url) => {
            let label = redact(url);
            match Crm::postgres(url).await {
                Ok(crm) => {
                    tracing::info!(database = %label, "CRM on PostgreSQL");
                    Backend::Ready { crm, label }
                }
                Err(e) => {
                    tracing::error!(database = %label, "CRM database cannot be used: {e}");
                    Backend::Broken {
                        label,
                        error: e.to_string(),
                    }
                }
            }
        }
    }
}
