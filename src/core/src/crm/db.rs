//! Opening the CRM on either backend, and the few things that differ between them.

use super::bant::BantConfig;
use super::CrmError;
use crate::store::Store;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Row};
use std::sync::Once;

/// Which SQL the backend speaks where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The stages a new pipeline starts with: name, probability, outcome. The person can rename,
/// reorder, add and remove them.
const DEFAULT_STAGES: [(&str, i64, &str); 6] = [
    ("Lead in", 10, "open"),
    ("Qualified", 30, "open"),
    ("Proposal", 60, "open"),
    ("Negotiation", 80, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
];

const BANT_KEY: &str = "bant";

/// Handle to the CRM tables. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Crm {
    pub(super) pool: AnyPool,
    pub(super) dialect: Dialect,
}

fn install_drivers() {
    static DRIVERS: Once = Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
}

impl Crm {
    /// The CRM inside the daemon's own database (its migrations made the tables).
    pub async fn sqlite(store: &Store) -> Result<Self, CrmError> {
        install_drivers();
        let url = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(store.path())
            .to_url_lossy();
        let connect = |detail: String| CrmError::Connect {
            target: store.path().display().to_string(),
            detail,
        };
        let options = AnyConnectOptions::from_url(&url).map_err(|e| connect(e.to_string()))?;
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            // Every connection gets the daemon store's settings: writers wait instead of failing.
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA busy_timeout = 5000")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA foreign_keys = ON")
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| connect(e.to_string()))?;
        let crm = Self {
            pool,
            dialect: Dialect::Sqlite,
        };
        crm.seed_stages().await?;
        Ok(crm)
    }

    /// A shared CRM on PostgreSQL, e.g. `postgres://roxy@db.lan/crm`. Its tables are created or
    /// upgraded on connect.
    pub async fn postgres(url: &str) -> Result<Self, CrmError> {
        install_drivers();
        let connect = |detail: String| CrmError::Connect {
            target: redact(url),
            detail,
        };
        if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            return Err(connect(
                "the database-url must start with postgres:// or postgresql://".into(),
            ));
        }
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| connect(e.to_string()))?;
        sqlx::migrate!("./migrations_pg").run(&pool).await?;
        let crm = Self {
            pool,
            dialect: Dialect::Postgres,
        };
        crm.seed_stages().await?;
        Ok(crm)
    }

    /// A transaction that writes. On SQLite it takes the write lock at once: a deferred one
    /// that reads first and then writes fails with "database is locked" when another writer
    /// got in between, because SQLite cannot wait for that without risking a deadlock.
    pub(super) async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn seed_stages(&self) -> Result<(), CrmError> {
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM crm_stages")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if count > 0 {
            return Ok(());
        }
        let mut tx = self.write().await?;
        for (position, (name, probability, outcome)) in DEFAULT_STAGES.iter().enumerate() {
            sqlx::query(
                "INSERT INTO crm_stages (name, position, probability, outcome) VALUES ($1, $2, $3, $4)",
            )
            .bind(*name)
            .bind(position as i64)
            .bind(*probability)
            .bind(*outcome)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn bant_config(&self) -> Result<BantConfig, CrmError> {
        let row = sqlx::query("SELECT value FROM crm_config WHERE key = $1")
            .bind(BANT_KEY)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .and_then(|r| serde_json::from_str(&r.get::<String, _>(0)).ok())
            .unwrap_or_default())
    }

    /// Stores new weights and thresholds and rescores every lead with them.
    pub async fn set_bant_config(&self, config: &BantConfig) -> Result<u64, CrmError> {
        config.validate()?;
        let json = serde_json::to_string(config).unwrap_or_default();
        sqlx::query(
            "INSERT INTO crm_config (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(BANT_KEY)
        .bind(json)
        .execute(&self.pool)
        .await?;
        self.rescore_all().await
    }
}

/// `postgres://user:secret@host/db` without the password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_kept_out_of_messages() {
        assert_eq!(
            super::redact("postgres://roxy:hunter2@db.lan/crm"),
            "postgres://roxy:***@db.lan/crm"
        );
        assert_eq!(
            super::redact("postgres://db.lan/crm"),
            "postgres://db.lan/crm"
        );
    }
}
