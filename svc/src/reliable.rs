//! A gRPC stream that survives its peer going away: items get sequence numbers, the peer
//! acknowledges them, and whatever was not acknowledged is sent again after a reconnect with
//! exponential backoff. Buffering is bounded twice: the input queue (its producer counts what
//! does not fit, see [`Outbox`]) and the window of unacknowledged items (when full, the input is
//! not read, so the input queue fills).
//!
//! Resending can duplicate an item the peer processed but did not acknowledge in time; the
//! receivers are idempotent for that (reassembly by byte offset; transactions carry ids).
use std::{collections::VecDeque, future::Future, pin::Pin, time::Duration};

use futures::{Stream, StreamExt};
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge},
    registry::Registry,
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

pub type AckStream = Pin<Box<dyn Stream<Item = Result<u64, tonic::Status>> + Send>>;

#[derive(Clone, Debug)]
pub struct Limits {
    /// Items sent but not yet acknowledged, at most.
    pub max_unacked: usize,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_unacked: 256,
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(5),
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DropLabels {
    pub reason: DropReason,
}

#[derive(
    Clone, Copy, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelValue,
)]
pub enum DropReason {
    /// The input queue was full (the peer is away or slower than the producer).
    QueueFull,
}

/// Metrics of one upstream stream; registered under the caller's prefix.
#[derive(Clone, Default)]
pub struct Metrics {
    pub sent: Counter,
    pub acked: Counter,
    pub resent: Counter,
    pub dropped: Family<DropLabels, Counter>,
    pub reconnects: Counter,
    pub connected: Gauge,
}

impl Metrics {
    pub fn register(&self, registry: &mut Registry, what: &str) {
        registry.register(
            format!("{what}_sent"),
            format!("{what} sent upstream"),
            self.sent.clone(),
        );
        registry.register(
            format!("{what}_acked"),
            format!("{what} acknowledged by upstream"),
            self.acked.clone(),
        );
        registry.register(
            format!("{what}_resent"),
            format!("{what} sent again after a reconnect"),
            self.resent.clone(),
        );
        registry.register(
            format!("{what}_dropped"),
            format!("{what} dropped before reaching upstream, by reason"),
            self.dropped.clone(),
        );
        registry.register(
            "upstream_reconnects",
            "Upstream stream reconnects",
            self.reconnects.clone(),
        );
        registry.register(
            "upstream_connected",
            "1 while the upstream stream is up",
            self.connected.clone(),
        );
    }
}

/// The producer's end: never blocks, counts what does not fit.
#[derive(Clone)]
pub struct Outbox<T> {
    tx: mpsc::Sender<T>,
    metrics: Metrics,
}

impl<T> Outbox<T> {
    /// Returns false (and counts a drop) when the queue is full or the sender has stopped.
    pub fn offer(&self, item: T) -> bool {
        match self.tx.try_send(item) {
            Ok(()) => true,
            Err(_) => {
                self.metrics
                    .dropped
                    .get_or_create(&DropLabels {
                        reason: DropReason::QueueFull,
                    })
                    .inc();
                false
            }
        }
    }

    /// Waits for room: for producers that should apply backpressure instead of dropping.
    pub async fn send(&self, item: T) -> bool {
        self.tx.send(item).await.is_ok()
    }
}

/// A queue of `capacity` items and the receiving end to pass to [`run`].
pub fn outbox<T>(capacity: usize, metrics: Metrics) -> (Outbox<T>, mpsc::Receiver<T>) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (Outbox { tx, metrics }, rx)
}

/// Sends everything from `input` through streams opened by `connect` until `input` is closed
/// and every item is acknowledged. Callers bound the final flush with a timeout.
/// `set_seq` writes the sequence number into the item (a field of the wire message).
pub async fn run<T, F, Fut>(
    mut input: mpsc::Receiver<T>,
    set_seq: fn(&mut T, u64),
    mut connect: F,
    limits: Limits,
    metrics: Metrics,
) where
    T: Clone + Send + 'static,
    F: FnMut(ReceiverStream<T>) -> Fut,
    Fut: Future<Output = anyhow::Result<AckStream>>,
{
    let mut pending: VecDeque<(u64, T)> = VecDeque::new();
    let mut next_seq: u64 = 1;
    let mut backoff = limits.backoff_min;
    let mut input_closed = false;
    let max_unacked = limits.max_unacked.max(1);
    loop {
        if input_closed && pending.is_empty() {
            return;
        }
        let (out_tx, out_rx) = mpsc::channel(max_unacked + 1);
        for (_, item) in &pending {
            // Cannot fail: the channel holds max_unacked + 1 and pending holds at most max_unacked.
            let _ = out_tx.try_send(item.clone());
            metrics.resent.inc();
        }
        let mut acks = match connect(ReceiverStream::new(out_rx)).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), retry_in = ?backoff, "upstream unavailable");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(limits.backoff_max);
                continue;
            }
        };
        tracing::info!(resent = pending.len(), "upstream stream open");
        metrics.connected.set(1);
        backoff = limits.backoff_min;
        loop {
            if input_closed && pending.is_empty() {
                break;
            }
            tokio::select! {
                ack = acks.next() => match ack {
                    Some(Ok(seq)) => {
                        while pending.front().is_some_and(|(s, _)| *s <= seq) {
                            pending.pop_front();
                            metrics.acked.inc();
                        }
                    }
                    Some(Err(status)) => {
                        tracing::warn!(code = ?status.code(), message = status.message(), "upstream stream failed");
                        break;
                    }
                    None => {
                        tracing::warn!("upstream closed the stream");
                        break;
                    }
                },
                item = input.recv(), if !input_closed && pending.len() < max_unacked => match item {
                    Some(mut item) => {
                        set_seq(&mut item, next_seq);
                        pending.push_back((next_seq, item.clone()));
                        next_seq += 1;
                        metrics.sent.inc();
                        if out_tx.send(item).await.is_err() {
                            break;
                        }
                    }
                    None => input_closed = true,
                },
            }
        }
        metrics.connected.set(0);
        if input_closed && pending.is_empty() {
            return;
        }
        metrics.reconnects.inc();
    }
}

#[cfg(test)]
mod tests;
