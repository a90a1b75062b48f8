//! The operations HTTP endpoint of every component: `/metrics` (Prometheus text), `/healthz`,
//! `/readyz`. Plain HTTP on its own port, as kubelet probes and Prometheus expect.
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

use axum::{extract::State, http::StatusCode, routing::get, Router};
use prometheus_client::{encoding::text::encode, registry::Registry};

use crate::shutdown::Shutdown;

#[derive(Clone)]
pub struct Ops {
    registry: Arc<Registry>,
    ready: Arc<AtomicBool>,
}

impl Ops {
    pub fn new(registry: Registry) -> Self {
        Self {
            registry: Arc::new(registry),
            ready: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }

    /// Extra routes (e.g. the processing console) are merged in by the caller.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/metrics", get(metrics))
            .route("/healthz", get(|| async { "ok" }))
            .route("/readyz", get(readyz))
            .with_state(self.clone())
    }

    /// Binds `addr` and serves `router` until shutdown. Returns the bound address (port 0 works).
    pub async fn serve(
        router: Router,
        addr: SocketAddr,
        mut shutdown: Shutdown,
    ) -> anyhow::Result<SocketAddr> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot bind the ops HTTP endpoint on {addr}: {e}"))?;
        let bound = listener.local_addr()?;
        tokio::spawn(async move {
            let r = axum::serve(listener, router)
                .with_graceful_shutdown(async move { shutdown.wait().await })
                .await;
            if let Err(e) = r {
                tracing::error!(error = %e, "ops HTTP endpoint failed");
            }
        });
        Ok(bound)
    }
}

async fn metrics(State(ops): State<Ops>) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        ops.render(),
    )
}

async fn readyz(State(ops): State<Ops>) -> (StatusCode, &'static str) {
    if ops.ready.load(Ordering::Relaxed) {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}
