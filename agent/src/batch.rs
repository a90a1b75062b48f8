//! Groups connection events into batches bounded by count, bytes and age.
use std::time::{Duration, Instant};

use proto::capture::{ChunkBatch, ConnEvent};

#[derive(Clone, Debug)]
pub struct BatchLimits {
    pub max_events: usize,
    pub max_bytes: usize,
    /// A batch is sent at the latest this long after its first event.
    pub max_age: Duration,
}

impl Default for BatchLimits {
    fn default() -> Self {
        Self {
            max_events: 1024,
            max_bytes: 1 << 20,
            max_age: Duration::from_millis(20),
        }
    }
}

pub struct Batcher {
    limits: BatchLimits,
    node: String,
    events: Vec<ConnEvent>,
    bytes: usize,
    first_at: Option<Instant>,
}

impl Batcher {
    pub fn new(node: String, limits: BatchLimits) -> Self {
        Self {
            limits,
            node,
            events: Vec::new(),
            bytes: 0,
            first_at: None,
        }
    }

    /// Adds an event; returns a full batch when a limit is reached.
    pub fn push(&mut self, ev: ConnEvent, weight: usize, now: Instant) -> Option<ChunkBatch> {
        self.first_at.get_or_insert(now);
        self.events.push(ev);
        self.bytes += weight;
        (self.events.len() >= self.limits.max_events || self.bytes >= self.limits.max_bytes)
            .then(|| self.take())
    }

    /// The pending batch when it is old enough.
    pub fn due(&mut self, now: Instant) -> Option<ChunkBatch> {
        let old = self
            .first_at
            .is_some_and(|t| now.duration_since(t) >= self.limits.max_age);
        old.then(|| self.take())
    }

    pub fn take(&mut self) -> ChunkBatch {
        self.first_at = None;
        self.bytes = 0;
        ChunkBatch {
            seq: 0,
            node: self.node.clone(),
            events: std::mem::take(&mut self.events),
            losses: Default::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flushes_on_count_bytes_and_age() {
        let t0 = Instant::now();
        let mut b = Batcher::new(
            "n".into(),
            BatchLimits {
                max_events: 3,
                max_bytes: 100,
                max_age: Duration::from_millis(10),
            },
        );
        let ev = ConnEvent::default;
        assert!(b.push(ev(), 1, t0).is_none());
        assert!(b.push(ev(), 1, t0).is_none());
        let full = b.push(ev(), 1, t0).expect("third event fills the batch");
        assert_eq!(full.events.len(), 3);
        assert_eq!(full.node, "n");
        assert!(b.push(ev(), 100, t0).is_some(), "byte limit");
        assert!(b.push(ev(), 1, t0).is_none());
        assert!(b.due(t0 + Duration::from_millis(5)).is_none());
        assert_eq!(
            b.due(t0 + Duration::from_millis(10))
                .map(|b| b.events.len()),
            Some(1)
        );
        assert!(b.is_empty());
        assert!(
            b.due(t0 + Duration::from_secs(1)).is_none(),
            "nothing pending"
        );
    }
}
