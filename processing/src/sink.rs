//! Where events go: the local store (a writer thread owning the SQLite connection) and, when
//! enabled, stdout as JSON lines. A transaction is acknowledged only after its events are stored.
use std::io::Write;

use tokio::sync::{mpsc, oneshot};

use crate::{event::Event, metrics::Metrics, store::Store};

type Job = (Vec<Event>, oneshot::Sender<bool>);

#[derive(Clone)]
pub struct Sinks {
    store: mpsc::Sender<Job>,
    stdout: bool,
    metrics: Metrics,
}

impl Sinks {
    /// Starts the store writer thread.
    pub fn start(mut store: Store, stdout: bool, metrics: Metrics) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(1024);
        let m = metrics.clone();
        std::thread::Builder::new()
            .name("event-store".into())
            .spawn(move || {
                while let Some((events, done)) = rx.blocking_recv() {
                    let ok = match store.insert(&events) {
                        Ok(n) => {
                            m.stored_events.inc_by(n as u64);
                            true
                        }
                        Err(e) => {
                            m.store_errors.inc();
                            tracing::error!(error = %e, "storing events failed");
                            false
                        }
                    };
                    let _ = done.send(ok);
                }
            })
            .expect("spawning a thread at start-up");
        Self {
            store: tx,
            stdout,
            metrics,
        }
    }

    /// Stores and prints `events`; returns false when the store failed.
    pub async fn emit(&self, events: Vec<Event>) -> bool {
        if events.is_empty() {
            return true;
        }
        if self.stdout {
            let mut out = std::io::stdout().lock();
            for e in &events {
                if let Ok(line) = serde_json::to_string(e) {
                    let _ = writeln!(out, "{line}");
                }
            }
            let _ = out.flush();
        }
        let (done, wait) = oneshot::channel();
        if self.store.send((events, done)).await.is_err() {
            self.metrics.store_errors.inc();
            return false;
        }
        wait.await.unwrap_or(false)
    }
}
