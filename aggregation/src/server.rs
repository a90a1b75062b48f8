//! The Capture gRPC service: one connection table per agent (node); rebuilt transactions go to
//! processing with backpressure (a slow processing slows acks, which fills the agent's window).
//!
//! When an agent's stream breaks, its table is parked: the agent reconnects with the same
//! connection ids and offsets and resends what was not acknowledged, so the new stream takes the
//! table over and half-received requests still complete. A table not claimed within the idle
//! timeout is finished (what it holds is sent on).
use std::{
    collections::HashMap,
    pin::Pin,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures::Stream;
use proto::capture::{capture_server::Capture, Ack, ChunkBatch};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::{
    conn::{ConnTable, Rebuilt, TableLimits, TableStats},
    exchange::Protocol,
    metrics::{Metrics, ProtocolLabels},
    parse::ParserStats,
    transaction::to_wire,
};

const SWEEP: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct CaptureService {
    limits: TableLimits,
    forward: crate::forward::Fanout,
    metrics: Metrics,
    /// Tables of agents whose stream ended, by node, with the time they were parked.
    parked: Arc<Mutex<HashMap<String, (StreamState, Duration)>>>,
    /// Clock of every table (one per service, so a table outlives its stream).
    epoch: tokio::time::Instant,
}

fn unix_now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

// === impl CaptureService ===

impl CaptureService {
    pub fn new(limits: TableLimits, forward: crate::forward::Fanout, metrics: Metrics) -> Self {
        Self {
            limits,
            forward,
            metrics,
            parked: Arc::default(),
            epoch: tokio::time::Instant::now(),
        }
    }

    fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    fn park(&self, st: StreamState) {
        let old = self
            .parked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(st.node.clone(), (st, self.now()));
        if let Some((old, _)) = old {
            // Two streams of one node ended: keep the newer table, finish the older one.
            tokio::spawn(self.clone().finish(old));
        }
    }

    fn claim(&self, node: &str) -> Option<StreamState> {
        self.parked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(node)
            .map(|(st, _)| st)
    }

    async fn finish(self, mut st: StreamState) {
        let mut out = Vec::new();
        let before = st.table.len();
        st.table.finish_all(&mut out);
        self.metrics.connections.dec_by(before as i64);
        self.forward(&st.node, out).await;
        self.report(&mut st);
    }

    /// Finishes parked tables older than the idle timeout (`all`: every one, at shutdown).
    pub async fn finish_parked(&self, all: bool) {
        let now = self.now();
        let expired: Vec<StreamState> = {
            let mut parked = self.parked.lock().unwrap_or_else(|p| p.into_inner());
            let nodes: Vec<String> = parked
                .iter()
                .filter(|(_, (_, at))| all || now.saturating_sub(*at) >= self.limits.idle_timeout)
                .map(|(n, _)| n.clone())
                .collect();
            nodes
                .iter()
                .filter_map(|n| parked.remove(n))
                .map(|(st, _)| st)
                .collect()
        };
        for st in expired {
            tracing::info!(node = %st.node, "agent did not come back: finishing its connections");
            self.clone().finish(st).await;
        }
    }
}

struct StreamState {
    table: ConnTable,
    node: String,
    prev_table: TableStats,
    prev_parser: [u64; ParserStats::LEN],
}

impl CaptureService {
    async fn forward(&self, node: &str, rebuilt: Vec<Rebuilt>) {
        for r in rebuilt {
            let protocol = match r.exchange.protocol {
                Protocol::Http1 => "http1",
                Protocol::Http2 => "http2",
            };
            self.metrics
                .transactions
                .get_or_create(&ProtocolLabels { protocol })
                .inc();
            let ts = unix_now_ns();
            let key = r.conn_id;
            if !self.forward.send(key, to_wire(node, r, ts)).await {
                tracing::error!("transaction forwarder stopped");
            }
        }
    }

    fn report(&self, st: &mut StreamState) {
        self.metrics
            .report_table(&mut st.prev_table, &st.table.stats);
        self.metrics
            .report_parser(&mut st.prev_parser, &st.table.parser_totals);
    }

    async fn serve_stream(
        self,
        mut inbound: Streaming<ChunkBatch>,
        acks: mpsc::Sender<Result<Ack, Status>>,
    ) {
        self.metrics.agent_streams.inc();
        let mut st = StreamState {
            table: ConnTable::new(self.limits.clone()),
            node: String::new(),
            prev_table: TableStats::default(),
            prev_parser: [0; ParserStats::LEN],
        };
        let mut sweep = tokio::time::interval(SWEEP);
        loop {
            let mut out = Vec::new();
            tokio::select! {
                msg = inbound.message() => match msg {
                    Ok(Some(batch)) => {
                        self.metrics.batches.inc();
                        self.metrics.events.inc_by(batch.events.len() as u64);
                        if st.node.is_empty() {
                            st.node = batch.node.clone();
                            match self.claim(&st.node) {
                                Some(parked) => {
                                    tracing::info!(node = %st.node, connections = parked.table.len(), "agent stream reopened: continuing its connections");
                                    st = parked;
                                }
                                None => tracing::info!(node = %st.node, "agent stream open"),
                            }
                        }
                        let before = st.table.len();
                        let now = self.now();
                        for ev in batch.events {
                            st.table.apply(ev, now, &mut out);
                        }
                        self.metrics.connections.inc_by(st.table.len() as i64 - before as i64);
                        self.forward(&st.node, out).await;
                        self.report(&mut st);
                        if acks.send(Ok(Ack { seq: batch.seq })).await.is_err() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(status) => {
                        tracing::warn!(node = %st.node, code = ?status.code(), message = status.message(), "agent stream failed");
                        break;
                    }
                },
                _ = sweep.tick() => {
                    let before = st.table.len();
                    st.table.sweep(self.now(), &mut out);
                    self.metrics.connections.inc_by(st.table.len() as i64 - before as i64);
                    self.forward(&st.node, out).await;
                    self.report(&mut st);
                }
            }
        }
        if st.node.is_empty() {
            // Nothing was received: nothing to keep.
        } else {
            self.park(st);
        }
        self.metrics.agent_streams.dec();
        tracing::info!("agent stream closed");
    }
}

type AckStream = Pin<Box<dyn Stream<Item = Result<Ack, Status>> + Send>>;

#[tonic::async_trait]
impl Capture for CaptureService {
    type StreamStream = AckStream;

    async fn stream(
        &self,
        request: Request<Streaming<ChunkBatch>>,
    ) -> Result<Response<Self::StreamStream>, Status> {
        let inbound = request.into_inner();
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(self.clone().serve_stream(inbound, tx));
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
