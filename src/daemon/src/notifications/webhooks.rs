//! Sends webhook requests in the background. A publish only queues work: slow or dead
//! endpoints are retried with backoff on their own tasks and never hold up the job that
//! caused the event.

use crate::secrets::SecretStore;
use roxy_core::notify::webhook::{self, Message, Request, Webhook};
use roxy_core::notify::Profile;
use roxy_core::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Attempts per request, and the wait before the second one (doubled after each failure).
const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const TIMEOUT: Duration = Duration::from_secs(10);

/// An owned [`Message`], so it can travel to a task.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub event: String,
    pub profile: Profile,
    pub summary: String,
    pub body: String,
    pub at_ms: i64,
}

impl Outgoing {
    fn message(&self) -> Message<'_> {
        Message {
            event: &self.event,
            profile: self.profile,
            summary: &self.summary,
            body: &self.body,
            at_ms: self.at_ms,
        }
    }
}

pub struct WebhookSender {
    store: Store,
    secrets: Arc<SecretStore>,
    /// Webhook name → how its last delivery went, for the settings page.
    last_result: Mutex<HashMap<String, String>>,
}

/// Why one attempt failed, and whether another could succeed.
struct Failure {
    text: String,
    retry: bool,
}

impl WebhookSender {
    pub fn new(store: Store, secrets: Arc<SecretStore>) -> Arc<Self> {
        Arc::new(Self {
            store,
            secrets,
            last_result: Mutex::default(),
        })
    }

    pub fn last_result(&self, name: &str) -> String {
        self.last_result
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .unwrap_or_default()
    }

    /// Queues `outgoing` for every webhook that carries its profile, and returns at once.
    pub fn send(self: &Arc<Self>, outgoing: Outgoing) {
        let sender = self.clone();
        tokio::spawn(async move {
            let hooks = match sender.store.webhooks().await {
                Ok(hooks) => hooks,
                Err(e) => return tracing::warn!("cannot read webhooks: {e}"),
            };
            for hook in hooks.into_iter().filter(|h| h.carries(outgoing.profile)) {
                let sender = sender.clone();
                let outgoing = outgoing.clone();
                tokio::spawn(async move { sender.deliver(&hook, &outgoing).await });
            }
        });
    }

    async fn deliver(&self, hook: &Webhook, outgoing: &Outgoing) {
        let request = webhook::request(hook, &outgoing.message());
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            let result = self.attempt(hook, &request).await;
            let failure = match result {
                Ok(status) => {
                    tracing::debug!(webhook = %hook.name, status, "webhook delivered");
                    return self.record(hook, format!("HTTP {status}"));
                }
                Err(failure) => failure,
            };
            tracing::info!(webhook = %hook.name, attempt, "webhook not delivered: {}", failure.text);
            if !failure.retry || attempt == ATTEMPTS {
                return self.record(hook, failure.text);
            }
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
    }

    /// One attempt now, for the "Test" button; the answer says how it went.
    pub async fn test(&self, hook: &Webhook, outgoing: &Outgoing) -> Result<String, String> {
        let request = webhook::request(hook, &outgoing.message());
        let result = self.attempt(hook, &request).await;
        let text = match &result {
            Ok(status) => format!("HTTP {status}"),
            Err(failure) => failure.text.clone(),
        };
        self.record(hook, text.clone());
        result.map(|_| text).map_err(|f| f.text)
    }

    fn record(&self, hook: &Webhook, text: String) {
        self.last_result
            .lock()
            .unwrap()
            .insert(hook.name.clone(), text);
    }

    async fn attempt(&self, hook: &Webhook, request: &Request) -> Result<u16, Failure> {
        let token = if hook.secret.is_empty() {
            None
        } else {
            match self.secrets.get(&hook.secret).await {
                Ok(Some(token)) => Some(token),
                Ok(None) => {
                    return Err(Failure {
                        text: format!("the secret “{}” is not in the store", hook.secret),
                        retry: false,
                    })
                }
                Err(e) => {
                    return Err(Failure {
                        text: e.to_string(),
                        retry: true,
                    })
                }
            }
        };
        let request = request.clone();
        let posted = tokio::task::spawn_blocking(move || {
            post(&request, token.as_deref().map(String::as_str))
        })
        .await;
        match posted {
            Ok(result) => result,
            Err(e) => Err(Failure {
                text: e.to_string(),
                retry: false,
            }),
        }
    }
}

fn post(request: &Request, token: Option<&str>) -> Result<u16, Failure> {
    let mut call = crate::http::agent(TIMEOUT)
        .post(&request.url)
        .header("Content-Type", "application/json")
        .header("User-Agent", concat!("roxyd/", env!("CARGO_PKG_VERSION")));
    if let Some(token) = token {
        call = call.header("Authorization", format!("Bearer {token}"));
    }
    let response = call.send(request.body.as_str()).map_err(|e| Failure {
        // ureq's errors name the host, never the headers.
        text: e.to_string(),
        retry: true,
    })?;
    let status = response.status().as_u16();
    match status {
        200..=299 => Ok(status),
        // Busy or broken servers may recover; a refusal will not change by asking again.
        429 | 500..=599 => Err(Failure {
            text: format!("HTTP {status}"),
            retry: true,
        }),
        _ => Err(Failure {
            text: format!("HTTP {status}"),
            retry: false,
        }),
    }
}
