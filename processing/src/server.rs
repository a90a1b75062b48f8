//! The Transactions gRPC service: detect, group into events, store, acknowledge.
use std::{pin::Pin, sync::Arc, time::Instant};

use futures::Stream;
use proto::transaction::{transactions_server::Transactions, Ack, Transaction};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::{
    convert,
    detect::Engine,
    event,
    metrics::{AttackLabels, Metrics},
    sink::Sinks,
};

#[derive(Clone)]
pub struct TransactionService {
    pub engine: Arc<Engine>,
    pub sinks: Sinks,
    pub metrics: Metrics,
}

impl TransactionService {
    /// Pure part: a transaction's events.
    pub fn analyse(&self, t: &Transaction) -> Vec<event::Event> {
        let req = convert::request(t);
        let started = Instant::now();
        let hits = self.engine.scan(&req);
        self.metrics
            .detect_duration
            .observe(started.elapsed().as_secs_f64());
        let host = req
            .header("host")
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .unwrap_or_default();
        event::events_for(&req.method, &req.uri, &host, &hits, &convert::context(t))
    }

    async fn serve_stream(
        self,
        mut inbound: Streaming<Transaction>,
        acks: mpsc::Sender<Result<Ack, Status>>,
    ) {
        loop {
            match inbound.message().await {
                Ok(Some(t)) => {
                    self.metrics.transactions.inc();
                    let events = self.analyse(&t);
                    for e in &events {
                        self.metrics
                            .events
                            .get_or_create(&AttackLabels {
                                attack: e.attack.as_str(),
                            })
                            .inc();
                        tracing::info!(attack = e.attack.as_str(), method = %e.method, uri = %e.uri, client = %e.context.client, "attack detected");
                    }
                    if !self.sinks.emit(events).await {
                        // Not acknowledged: the sender resends it after reconnecting.
                        let _ = acks
                            .send(Err(Status::unavailable("event store unavailable")))
                            .await;
                        return;
                    }
                    if acks.send(Ok(Ack { seq: t.seq })).await.is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(status) => {
                    tracing::warn!(code = ?status.code(), message = status.message(), "transaction stream failed");
                    return;
                }
            }
        }
    }
}

type AckStream = Pin<Box<dyn Stream<Item = Result<Ack, Status>> + Send>>;

#[tonic::async_trait]
impl Transactions for TransactionService {
    type SubmitStream = AckStream;

    async fn submit(
        &self,
        request: Request<Streaming<Transaction>>,
    ) -> Result<Response<Self::SubmitStream>, Status> {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(self.clone().serve_stream(request.into_inner(), tx));
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
