//! Stream and recording sessions: when they started and ended, the file, the frames lost.

use crate::store::{Store, StoreError};
use crate::time::now_ms;
use sqlx::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Stream,
    Record,
}

impl SessionKind {
    pub fn id(self) -> &'static str {
        match self {
            SessionKind::Stream => "stream",
            SessionKind::Record => "record",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "stream" => Some(SessionKind::Stream),
            "record" => Some(SessionKind::Record),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub instance: String,
    pub kind: SessionKind,
    pub started_at: i64,
    /// None while it runs (or when roxyd stopped before it did).
    pub ended_at: Option<i64>,
    pub file: String,
    pub dropped_frames: u64,
    pub total_frames: u64,
}

impl Store {
    /// Opens a session; returns its id.
    pub async fn start_session(
        &self,
        instance: &str,
        kind: SessionKind,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO broadcast_sessions (instance, kind, started_at) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(instance)
        .bind(kind.id())
        .bind(now_ms())
        .fetch_one(self.pool())
        .await?;
        Ok(row.get("id"))
    }

    /// Closes a session with what is known at its end (an empty `file` keeps none).
    pub async fn end_session(
        &self,
        id: i64,
        file: &str,
        dropped_frames: u64,
        total_frames: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE broadcast_sessions SET ended_at = ?, file = ?, dropped_frames = ?, total_frames = ? \
             WHERE id = ?",
        )
        .bind(now_ms())
        .bind(file)
        .bind(i64::try_from(dropped_frames).unwrap_or(i64::MAX))
        .bind(i64::try_from(total_frames).unwrap_or(i64::MAX))
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The newest sessions first.
    pub async fn sessions(&self, limit: u32) -> Result<Vec<Session>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, instance, kind, started_at, ended_at, file, dropped_frames, total_frames \
             FROM broadcast_sessions ORDER BY started_at DESC, id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(Session {
                    id: r.get("id"),
                    instance: r.get("instance"),
                    kind: SessionKind::parse(r.get::<&str, _>("kind"))?,
                    started_at: r.get("started_at"),
                    ended_at: r.get("ended_at"),
                    file: r.get("file"),
                    dropped_frames: r.get::<i64, _>("dropped_frames").max(0) as u64,
                    total_frames: r.get::<i64, _>("total_frames").max(0) as u64,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_session_is_opened_and_closed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let id = store
            .start_session("studio", SessionKind::Record)
            .await
            .unwrap();
        let open = store.sessions(10).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].ended_at, None);
        store.end_session(id, "/rec/a.mkv", 3, 300).await.unwrap();
        let closed = &store.sessions(10).await.unwrap()[0];
        assert_eq!(closed.kind, SessionKind::Record);
        assert_eq!(closed.file, "/rec/a.mkv");
        assert_eq!((closed.dropped_frames, closed.total_frames), (3, 300));
        assert!(closed.ended_at.unwrap() >= closed.started_at);
    }
}
