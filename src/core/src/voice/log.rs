//! The voice log: what was heard, what it was taken for, what came of it.

use crate::store::{Store, StoreError};
use crate::time::now_ms;
use sqlx::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Confidence too low to act: the daemon asked back.
    Asked,
    NoMatch,
    Failed,
    /// Not allowed by voice (approving a confirm runbook).
    Refused,
    Cancelled,
}

impl Outcome {
    pub fn id(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Asked => "asked",
            Outcome::NoMatch => "no_match",
            Outcome::Failed => "failed",
            Outcome::Refused => "refused",
            Outcome::Cancelled => "cancelled",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        [
            Outcome::Done,
            Outcome::Asked,
            Outcome::NoMatch,
            Outcome::Failed,
            Outcome::Refused,
            Outcome::Cancelled,
        ]
        .into_iter()
        .find(|o| o.id() == id)
    }
}

/// One sentence to log.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    /// "microphone" or "typed".
    pub source: String,
    pub transcript: String,
    pub intent: String,
    pub confidence: f64,
    pub outcome: Outcome,
    pub detail: String,
    pub reply: String,
    pub stt_ms: u64,
    pub total_ms: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HeardEntry {
    pub id: i64,
    pub at: i64,
    pub heard: Heard,
}

/// Entries kept; older ones are dropped as new ones come.
const KEEP: i64 = 5_000;

impl Store {
    pub async fn log_heard(&self, heard: &Heard) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO voice_log (at, source, transcript, intent, confidence, outcome, detail, reply, stt_ms, total_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(now_ms())
        .bind(&heard.source)
        .bind(&heard.transcript)
        .bind(&heard.intent)
        .bind(heard.confidence)
        .bind(heard.outcome.id())
        .bind(&heard.detail)
        .bind(&heard.reply)
        .bind(i64::try_from(heard.stt_ms).unwrap_or(i64::MAX))
        .bind(i64::try_from(heard.total_ms).unwrap_or(i64::MAX))
        .fetch_one(self.pool())
        .await?;
        let id: i64 = row.get("id");
        sqlx::query("DELETE FROM voice_log WHERE id <= ?")
            .bind(id - KEEP)
            .execute(self.pool())
            .await?;
        Ok(id)
    }

    /// Newest first.
    pub async fn heard(&self, limit: u32) -> Result<Vec<HeardEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, source, transcript, intent, confidence, outcome, detail, reply, stt_ms, total_ms \
             FROM voice_log ORDER BY id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(HeardEntry {
                    id: r.get("id"),
                    at: r.get("at"),
                    heard: Heard {
                        source: r.get("source"),
                        transcript: r.get("transcript"),
                        intent: r.get("intent"),
                        confidence: r.get("confidence"),
                        outcome: Outcome::parse(r.get::<&str, _>("outcome"))?,
                        detail: r.get("detail"),
                        reply: r.get("reply"),
                        stt_ms: r.get::<i64, _>("stt_ms").max(0) as u64,
                        total_ms: r.get::<i64, _>("total_ms").max(0) as u64,
                    },
                })
            })
            .collect())
    }
}
