//! Wiring: gRPC server for aggregation, sinks, ops endpoint.
use std::sync::Arc;

use proto::transaction::transactions_server::TransactionsServer;

use crate::{
    config::Config, detect::Engine, metrics::Metrics, server::TransactionService, sink::Sinks,
    store::Store,
};

pub async fn run(cfg: Config, shutdown: svc::shutdown::Shutdown) -> anyhow::Result<()> {
    let metrics = Metrics::default();
    let ops = svc::http::Ops::new(metrics.registry());
    let tls = svc::tls::TlsFiles::in_dir(&cfg.tls_dir).server()?;
    let store = Store::open(&cfg.data_dir)?;
    tracing::info!(store = %store.path().display(), "event store open");
    let sinks = Sinks::start(store, cfg.stdout_events, metrics.clone());
    let service = TransactionService {
        engine: Arc::new(Engine::new()),
        sinks,
        metrics,
    };
    let bound = svc::http::Ops::serve(ops.router(), cfg.metrics_addr, shutdown.clone()).await?;
    tracing::info!(listen = %cfg.listen, metrics = %bound, "processing running");
    ops.set_ready(true);
    let mut stop = shutdown;
    tonic::transport::Server::builder()
        .tls_config(tls)?
        .add_service(TransactionsServer::new(service).max_decoding_message_size(64 << 20))
        .serve_with_shutdown(cfg.listen, async move { stop.wait().await })
        .await
        .map_err(|e| anyhow::anyhow!("gRPC server on {}: {e:?}", cfg.listen))?;
    Ok(())
}
