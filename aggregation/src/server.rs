//! The Capture gRPC service: one connection table per agent stream; rebuilt transactions go to
//! processing with backpressure (a slow processing slows acks, which fills the agent's window).
use std::{pin::Pin, time::Duration};

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
    pub limits: TableLimits,
    pub forward: crate::forward::Fanout,
    pub metrics: Metrics,
}

fn unix_now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
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
        let start = tokio::time::Instant::now();
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
                            tracing::info!(node = %st.node, "agent stream open");
                        }
                        let before = st.table.len();
                        let now = start.elapsed();
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
                    st.table.sweep(start.elapsed(), &mut out);
                    self.metrics.connections.inc_by(st.table.len() as i64 - before as i64);
                    self.forward(&st.node, out).await;
                    self.report(&mut st);
                }
            }
        }
        // The agent reconnects with the same connection ids and resends what was not acked:
        // whatever is held here is flushed now rather than lost.
        let mut out = Vec::new();
        let before = st.table.len();
        st.table.finish_all(&mut out);
        self.metrics.connections.dec_by(before as i64);
        self.forward(&st.node, out).await;
        self.report(&mut st);
        self.metrics.agent_streams.dec();
        tracing::info!(node = %st.node, "agent stream closed");
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
