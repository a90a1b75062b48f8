//! The embedded local event store: one SQLite file under the data directory. Inserts are
//! idempotent per (transaction, attack type), so a transaction resent after a reconnect is
//! stored once.
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};

use crate::event::Event;

pub const DB_FILE: &str = "events.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create data directory {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("event store {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A stored event as listed by `wallarm-oob-processing events`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StoredEvent {
    pub id: i64,
    pub ts_unix_ms: i64,
    pub attack: String,
    pub method: String,
    pub uri: String,
    pub host: String,
    pub client: String,
    pub server: String,
    pub node: String,
    pub pid: u32,
    pub comm: String,
    pub status: Option<u16>,
    pub transaction_id: String,
    pub points: serde_json::Value,
    pub protocol: String,
}

impl Store {
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Dir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(err)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             PRAGMA busy_timeout=5000;
             CREATE TABLE IF NOT EXISTS events (
                id INTEGER PRIMARY KEY,
                ts_unix_ms INTEGER NOT NULL,
                attack TEXT NOT NULL,
                method TEXT NOT NULL,
                uri TEXT NOT NULL,
                host TEXT NOT NULL,
                client TEXT NOT NULL,
                server TEXT NOT NULL,
                node TEXT NOT NULL,
                pid INTEGER NOT NULL,
                comm TEXT NOT NULL,
                pod TEXT NOT NULL,
                namespace TEXT NOT NULL,
                protocol TEXT NOT NULL,
                status INTEGER,
                transaction_id TEXT NOT NULL,
                points TEXT NOT NULL,
                UNIQUE (transaction_id, attack)
             );
             CREATE INDEX IF NOT EXISTS events_ts ON events (ts_unix_ms);",
        )
        .map_err(err)?;
        Ok(Self { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stores events in one transaction; returns how many were new.
    pub fn insert(&mut self, events: &[Event]) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        let mut n = 0;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO events (ts_unix_ms, attack, method, uri, host, client, server, node,
                     pid, comm, pod, namespace, protocol, status, transaction_id, points)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                )
                .map_err(err)?;
            for e in events {
                let c = &e.context;
                let points = serde_json::to_string(&e.points).unwrap_or_else(|_| "[]".into());
                n += stmt
                    .execute(params![
                        c.ts_unix_ms,
                        e.attack.as_str(),
                        e.method,
                        e.uri,
                        e.host,
                        c.client,
                        c.server,
                        c.node,
                        c.pid,
                        c.comm,
                        c.pod,
                        c.namespace,
                        c.protocol,
                        c.status,
                        c.transaction_id,
                        points
                    ])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        Ok(n)
    }

    /// Newest first.
    pub fn list(&self, limit: usize, attack: Option<&str>) -> Result<Vec<StoredEvent>, StoreError> {
        let err = |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, ts_unix_ms, attack, method, uri, host, client, server, node, pid, comm, status,
                        transaction_id, points, protocol
                 FROM events WHERE (?1 IS NULL OR attack = ?1) ORDER BY id DESC LIMIT ?2",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map(params![attack, limit as i64], |r| {
                let points: String = r.get(13)?;
                Ok(StoredEvent {
                    id: r.get(0)?,
                    ts_unix_ms: r.get(1)?,
                    attack: r.get(2)?,
                    method: r.get(3)?,
                    uri: r.get(4)?,
                    host: r.get(5)?,
                    client: r.get(6)?,
                    server: r.get(7)?,
                    node: r.get(8)?,
                    pid: r.get(9)?,
                    comm: r.get(10)?,
                    status: r.get(11)?,
                    transaction_id: r.get(12)?,
                    points: serde_json::from_str(&points).unwrap_or(serde_json::Value::Null),
                    protocol: r.get(14)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        detect::AttackType,
        event::{Context, EventPoint},
    };

    fn event(tx: &str, attack: AttackType) -> Event {
        Event {
            attack,
            method: "GET".into(),
            uri: "/etc/passwd".into(),
            host: "app".into(),
            points: vec![EventPoint {
                point: serde_json::json!(["uri"]),
                payload: "/etc/passwd".into(),
                reason: "r".into(),
            }],
            context: Context {
                transaction_id: tx.into(),
                client: "127.0.0.1:5000".into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn stores_lists_and_ignores_resent_transactions() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        assert_eq!(
            s.insert(&[
                event("n/1/0", AttackType::Ptrav),
                event("n/1/0", AttackType::Sqli)
            ])
            .unwrap(),
            2
        );
        assert_eq!(
            s.insert(&[event("n/1/0", AttackType::Ptrav)]).unwrap(),
            0,
            "resent"
        );
        assert_eq!(s.insert(&[event("n/1/1", AttackType::Ptrav)]).unwrap(), 1);
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        let all = s.list(10, None).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].transaction_id, "n/1/1", "newest first");
        assert_eq!(s.list(10, Some("sqli")).unwrap().len(), 1);
        assert_eq!(all[0].points[0]["payload"], "/etc/passwd");
    }

    #[test]
    fn an_unwritable_data_dir_is_a_clear_error() {
        let err = Store::open(Path::new("/proc/no-such-dir"))
            .err()
            .expect("fails");
        assert!(
            err.to_string()
                .contains("cannot create data directory /proc/no-such-dir"),
            "{err}"
        );
    }
}
