//! Wiring: gRPC server for agents, forwarder to processing, ops endpoint.
use std::time::Duration;

use proto::capture::capture_server::CaptureServer;

use crate::{
    config::Config,
    forward,
    metrics::{LimitLabels, Metrics},
    server::CaptureService,
    transaction,
};

const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn run(cfg: Config, shutdown: svc::shutdown::Shutdown) -> anyhow::Result<()> {
    let metrics = Metrics::default();
    for (limit, v) in [
        ("max_header_bytes", cfg.max_header_bytes as u64),
        ("max_body_bytes", cfg.max_body_bytes as u64),
        ("max_connections", cfg.max_connections as u64),
        ("idle_timeout_seconds", cfg.idle_timeout_secs),
        ("response_timeout_seconds", cfg.response_timeout_secs),
        ("max_out_of_order_bytes", cfg.max_out_of_order_bytes as u64),
        ("forward_queue", cfg.forward_queue as u64),
    ] {
        metrics
            .limits
            .get_or_create(&LimitLabels { limit })
            .set(v as i64);
    }
    let ops = svc::http::Ops::new(metrics.registry());
    let tls_files = svc::tls::TlsFiles::in_dir(&cfg.tls_dir);
    let server_tls = tls_files.server()?;
    let client_tls = tls_files.client(&cfg.processing_name)?;

    let mut outboxes = Vec::new();
    let mut forwarders = Vec::new();
    for url in cfg.processing_urls() {
        let (outbox, rx) = svc::reliable::outbox(cfg.forward_queue, metrics.forward.clone());
        let tls = client_tls.clone();
        forwarders.push(tokio::spawn(svc::reliable::run(
            rx,
            transaction::set_seq,
            move |s| forward::open(url.clone(), tls.clone(), s),
            svc::reliable::Limits {
                max_unacked: 1024,
                ..Default::default()
            },
            metrics.forward.clone(),
        )));
        outboxes.push(outbox);
    }
    let outbox = forward::Fanout::new(outboxes);

    let service = CaptureService::new(cfg.table_limits(), outbox, metrics.clone());
    // Tables of agents that went away are finished once they are idle long enough.
    let sweeper = service.clone();
    let mut sweep_stop = shutdown.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = tick.tick() => sweeper.finish_parked(false).await,
                _ = sweep_stop.wait() => return,
            }
        }
    });
    let bound = svc::http::Ops::serve(ops.router(), cfg.metrics_addr, shutdown.clone()).await?;
    tracing::info!(listen = %cfg.listen, metrics = %bound, processing = %cfg.processing, "aggregation running");
    ops.set_ready(true);
    let mut stop = shutdown.clone();
    tonic::transport::Server::builder()
        .tls_config(server_tls)?
        .add_service(CaptureServer::new(service.clone()).max_decoding_message_size(64 << 20))
        .serve_with_shutdown(cfg.listen, async move { stop.wait().await })
        .await
        .map_err(|e| anyhow::anyhow!("gRPC server on {}: {e:?}", cfg.listen))?;
    // Streams have ended and parked their tables: send on what they hold.
    service.finish_parked(true).await;
    drop(service);
    // Stream tasks end with their streams and drop their outbox clones; then the forwarders
    // drain what is left.
    if tokio::time::timeout(FLUSH_TIMEOUT, futures::future::join_all(forwarders))
        .await
        .is_err()
    {
        tracing::warn!("processing did not acknowledge everything before shutdown");
    }
    Ok(())
}
