//! Outgoing webhooks: where they go, which profiles they carry, and what each request holds.
//! Sending (with retries) is the daemon's job; everything here is plain data.

use super::Profile;
use crate::runbook::{is_http_url, is_secret_name};
use crate::store::{Store, StoreError};
use sqlx::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    /// `POST` of a JSON object describing the event.
    Json,
    /// An ntfy topic URL (`https://ntfy.sh/my-topic`), published as ntfy JSON.
    Ntfy,
}

impl WebhookFormat {
    pub fn id(self) -> &'static str {
        match self {
            WebhookFormat::Json => "json",
            WebhookFormat::Ntfy => "ntfy",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        [WebhookFormat::Json, WebhookFormat::Ntfy]
            .into_iter()
            .find(|f| f.id() == id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub name: String,
    pub url: String,
    pub format: WebhookFormat,
    /// The profiles whose events it receives (never `Off`).
    pub profiles: Vec<Profile>,
    /// Name of the secret sent as `Authorization: Bearer …`; empty for none.
    pub secret: String,
}

/// A webhook that cannot be saved, naming the field and what is allowed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("webhook field `{field}`: {problem}")]
pub struct WebhookError {
    pub field: &'static str,
    pub problem: String,
}

fn invalid(field: &'static str, problem: impl Into<String>) -> WebhookError {
    WebhookError {
        field,
        problem: problem.into(),
    }
}

impl Webhook {
    /// Builds a webhook from the words a person typed, checking every field.
    pub fn parse(
        name: &str,
        url: &str,
        format: &str,
        profiles: &[String],
        secret: &str,
    ) -> Result<Self, WebhookError> {
        if !is_secret_name(name) {
            return Err(invalid(
                "name",
                format!("“{name}” must be 1–64 letters, digits, “-”, “_” or “.”"),
            ));
        }
        if !is_http_url(url) {
            return Err(invalid(
                "url",
                format!("“{url}” must start with http:// or https:// and name a host"),
            ));
        }
        let format = WebhookFormat::parse(format)
            .ok_or_else(|| invalid("format", format!("“{format}” is not one of: json, ntfy")))?;
        if format == WebhookFormat::Ntfy && ntfy_parts(url).is_none() {
            return Err(invalid(
                "url",
                "an ntfy URL ends with the topic, like https://ntfy.sh/my-topic",
            ));
        }
        let mut chosen = Vec::new();
        for p in profiles {
            match Profile::parse(p) {
                Some(Profile::Off) | None => {
                    return Err(invalid(
                        "profiles",
                        format!("“{p}” is not one of: critical, info, digest"),
                    ))
                }
                Some(profile) if !chosen.contains(&profile) => chosen.push(profile),
                Some(_) => {}
            }
        }
        if chosen.is_empty() {
            return Err(invalid(
                "profiles",
                "name at least one of: critical, info, digest",
            ));
        }
        chosen.sort();
        if !secret.is_empty() && !is_secret_name(secret) {
            return Err(invalid(
                "secret",
                format!("“{secret}” is not a secret name (letters, digits, “-”, “_”, “.”)"),
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            url: url.to_owned(),
            format,
            profiles: chosen,
            secret: secret.to_owned(),
        })
    }

    pub fn carries(&self, profile: Profile) -> bool {
        self.profiles.contains(&profile)
    }
}

/// What a webhook is told.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// An event kind's id, or `digest`.
    pub event: &'a str,
    pub profile: Profile,
    pub summary: &'a str,
    pub body: &'a str,
    pub at_ms: i64,
}

/// One HTTP request, without the Authorization header (the daemon adds it from the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub url: String,
    pub body: String,
}

/// `https://host/path/topic` → (`https://host/path/`, `topic`).
fn ntfy_parts(url: &str) -> Option<(&str, &str)> {
    let scheme_end = url.find("://")? + 3;
    let slash = url.rfind('/').filter(|i| *i > scheme_end)?;
    let topic = &url[slash + 1..];
    let valid = !topic.is_empty()
        && topic
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    valid.then(|| (&url[..=slash], topic))
}

pub fn request(webhook: &Webhook, message: &Message<'_>) -> Request {
    let time = chrono::DateTime::from_timestamp_millis(message.at_ms)
        .unwrap_or_default()
        .to_rfc3339();
    match webhook.format {
        WebhookFormat::Json => Request {
            url: webhook.url.clone(),
            body: serde_json::json!({
                "source": "roxy",
                "event": message.event,
                "profile": message.profile.id(),
                "summary": message.summary,
                "body": message.body,
                "time": time,
            })
            .to_string(),
        },
        WebhookFormat::Ntfy => {
            // Validated on save; a hand-edited row falls back to posting to the URL itself.
            let (base, topic) = ntfy_parts(&webhook.url).unwrap_or((&webhook.url, ""));
            let (priority, tag) = match message.profile {
                Profile::Critical => (5, "rotating_light"),
                Profile::Info | Profile::Off => (3, "information_source"),
                Profile::Digest => (2, "memo"),
            };
            let text = if message.body.is_empty() {
                message.summary
            } else {
                message.body
            };
            Request {
                url: base.to_owned(),
                body: serde_json::json!({
                    "topic": topic,
                    "title": message.summary,
                    "message": text,
                    "priority": priority,
                    "tags": [tag],
                })
                .to_string(),
            }
        }
    }
}

impl Store {
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        let rows =
            sqlx::query("SELECT name, url, format, profiles, secret FROM webhooks ORDER BY name")
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let profiles: String = r.get("profiles");
                let profiles: Vec<String> = profiles.split(',').map(str::to_owned).collect();
                let parsed = Webhook::parse(
                    r.get("name"),
                    r.get("url"),
                    r.get("format"),
                    &profiles,
                    r.get("secret"),
                );
                match parsed {
                    Ok(w) => Some(w),
                    Err(e) => {
                        tracing::warn!("ignoring a stored webhook: {e}");
                        None
                    }
                }
            })
            .collect())
    }

    /// Adds the webhook, or replaces the one with its name.
    pub async fn save_webhook(&self, webhook: &Webhook) -> Result<(), StoreError> {
        let profiles: Vec<&str> = webhook.profiles.iter().map(|p| p.id()).collect();
        sqlx::query(
            "INSERT INTO webhooks (name, url, format, profiles, secret) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET url = excluded.url, format = excluded.format, \
             profiles = excluded.profiles, secret = excluded.secret",
        )
        .bind(&webhook.name)
        .bind(&webhook.url)
        .bind(webhook.format.id())
        .bind(profiles.join(","))
        .bind(&webhook.secret)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn remove_webhook(&self, name: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM webhooks WHERE name = ?")
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bad_fields_are_named() {
        let err = |name, url, format, profiles: &[&str], secret| {
            Webhook::parse(name, url, format, &strings(profiles), secret)
                .unwrap_err()
                .field
        };
        assert_eq!(err("a b", "http://x", "json", &["info"], ""), "name");
        assert_eq!(err("a", "ftp://x", "json", &["info"], ""), "url");
        assert_eq!(err("a", "http://", "json", &["info"], ""), "url");
        assert_eq!(err("a", "http://x", "xml", &["info"], ""), "format");
        assert_eq!(err("a", "http://x", "json", &["off"], ""), "profiles");
        assert_eq!(err("a", "http://x", "json", &[], ""), "profiles");
        assert_eq!(err("a", "http://x", "json", &["info"], "a b"), "secret");
        assert_eq!(err("a", "https://ntfy.sh", "ntfy", &["info"], ""), "url");
    }

    #[test]
    fn json_carries_the_event() {
        let hook = Webhook::parse(
            "ops",
            "http://127.0.0.1:9/hook",
            "json",
            &strings(&["critical", "critical", "digest"]),
            "",
        )
        .unwrap();
        assert_eq!(hook.profiles, [Profile::Critical, Profile::Digest]);
        let req = request(
            &hook,
            &Message {
                event: "run.failed",
                profile: Profile::Critical,
                summary: "Backup failed",
                body: "step 2",
                at_ms: 0,
            },
        );
        assert_eq!(req.url, "http://127.0.0.1:9/hook");
        let v: serde_json::Value = serde_json::from_str(&req.body).unwrap();
        assert_eq!(v["event"], "run.failed");
        assert_eq!(v["profile"], "critical");
        assert_eq!(v["summary"], "Backup failed");
        assert_eq!(v["time"], "1970-01-01T00:00:00+00:00");
    }

    #[test]
    fn ntfy_posts_to_the_server_with_the_topic() {
        let hook = Webhook::parse(
            "phone",
            "https://ntfy.example/roxy-alerts",
            "ntfy",
            &strings(&["info"]),
            "ntfy-token",
        )
        .unwrap();
        let req = request(
            &hook,
            &Message {
                event: "run.finished",
                profile: Profile::Info,
                summary: "Backup finished",
                body: "",
                at_ms: 0,
            },
        );
        assert_eq!(req.url, "https://ntfy.example/");
        let v: serde_json::Value = serde_json::from_str(&req.body).unwrap();
        assert_eq!(v["topic"], "roxy-alerts");
        assert_eq!(v["title"], "Backup finished");
        assert_eq!(v["message"], "Backup finished");
        assert_eq!(v["priority"], 3);
    }

    #[tokio::test]
    async fn stored_and_replaced_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let mut hook =
            Webhook::parse("ops", "http://x/a", "json", &strings(&["info"]), "").unwrap();
        store.save_webhook(&hook).await.unwrap();
        hook.url = "http://x/b".into();
        store.save_webhook(&hook).await.unwrap();
        assert_eq!(store.webhooks().await.unwrap(), [hook]);
        assert!(store.remove_webhook("ops").await.unwrap());
        assert!(!store.remove_webhook("ops").await.unwrap());
    }
}
