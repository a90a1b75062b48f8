//! Reads the ring buffer: woken by the kernel past a fill threshold, and on a short timer for the
//! records written without a wakeup (batched wakeups: shared/notes/performance-anchors.md).
use std::{collections::HashMap, os::fd::AsRawFd, time::Duration};

use agent_common::LossReason;
use aya::maps::{MapData, PerCpuArray, RingBuf};
use proto::capture::{conn_event::Kind, ChunkBatch};
use tokio::io::{unix::AsyncFd, Interest};

use crate::{
    batch::Batcher,
    clock::MonotonicToUnix,
    loader::read_losses,
    metrics::{KindLabels, Metrics, ReasonLabels, RecordLabel},
    records,
};

/// Polling period for records written without a wakeup.
pub const POLL: Duration = Duration::from_millis(10);

struct RawRing(RingBuf<MapData>);

impl AsRawFd for RawRing {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.0.as_raw_fd()
    }
}

pub struct Reader {
    pub ring: RingBuf<MapData>,
    pub loss: PerCpuArray<MapData, u64>,
    pub batcher: Batcher,
    pub outbox: svc::reliable::Outbox<ChunkBatch>,
    pub metrics: Metrics,
    pub clock: MonotonicToUnix,
}

impl Reader {
    pub async fn run(self, mut shutdown: svc::shutdown::Shutdown) -> anyhow::Result<()> {
        let Reader {
            ring,
            loss,
            mut batcher,
            outbox,
            metrics,
            clock,
        } = self;
        // SAFETY: the ring buffer fd stays open for as long as the AsyncFd owns it.
        let mut fd = unsafe { AsyncFd::register_with_interest(RawRing(ring), Interest::READABLE) }
            .map_err(std::io::Error::from)?;
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut loss_tick = tokio::time::interval(Duration::from_secs(1));
        let mut last_losses: HashMap<LossReason, u64> = HashMap::new();
        let mut losses_map = HashMap::new();
        let mut listeners = crate::procfs::ListenCache::default();
        loop {
            let stopping = tokio::select! {
                guard = fd.readable_mut() => {
                    guard?.clear_ready();
                    false
                }
                _ = tick.tick() => false,
                _ = loss_tick.tick() => {
                    for (reason, total) in read_losses(&loss) {
                        let last = last_losses.entry(reason).or_insert(0);
                        if total > *last {
                            metrics.kernel_lost.get_or_create(&ReasonLabels { reason: reason.label() }).inc_by(total - *last);
                            tracing::warn!(reason = reason.label(), lost = total - *last, "kernel capture losses");
                            *last = total;
                        }
                        losses_map.insert(reason.label().to_owned(), total);
                    }
                    false
                }
                _ = shutdown.wait() => true,
            };
            let now = std::time::Instant::now();
            while let Some(item) = fd.get_mut().0.next() {
                match records::to_event(&item, &clock, &mut listeners) {
                    Ok(ev) => {
                        let label = match &ev.kind {
                            Some(Kind::Data(d)) => {
                                metrics.captured_bytes.inc_by(d.payload.len() as u64);
                                RecordLabel::Data
                            }
                            Some(Kind::Open(_)) => RecordLabel::Open,
                            Some(Kind::TlsStart(_)) => RecordLabel::TlsStart,
                            _ => RecordLabel::Close,
                        };
                        metrics
                            .records
                            .get_or_create(&KindLabels { kind: label })
                            .inc();
                        let w = records::weight(&ev);
                        if let Some(mut batch) = batcher.push(ev, w, now) {
                            batch.losses = losses_map.clone();
                            outbox.offer(batch);
                        }
                    }
                    Err(e) => {
                        metrics.decode_errors.inc();
                        tracing::debug!(error = ?e, "undecodable record");
                    }
                }
            }
            if let Some(mut batch) = batcher.due(now) {
                batch.losses = losses_map.clone();
                outbox.offer(batch);
            }
            if stopping {
                if !batcher.is_empty() {
                    outbox.offer(batcher.take());
                }
                return Ok(());
            }
        }
    }
}

/// Sends connection events created in userspace (connections open before start) through the
/// same batcher path.
pub fn synthetic_batch(node: &str, events: Vec<proto::capture::ConnEvent>) -> ChunkBatch {
    ChunkBatch {
        seq: 0,
        node: node.to_owned(),
        events,
        losses: Default::default(),
    }
}
