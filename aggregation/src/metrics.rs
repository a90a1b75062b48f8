//! Aggregation metrics (prefix `aggregation_`). Label values come from code, never from traffic.
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge},
    registry::Registry,
};

use crate::{conn::TableStats, parse::ParserStats};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProtocolLabels {
    pub protocol: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ParserLabels {
    pub counter: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: &'static str,
}

#[derive(Clone, Default)]
pub struct Metrics {
    pub agent_streams: Gauge,
    pub batches: Counter,
    pub events: Counter,
    pub transactions: Family<ProtocolLabels, Counter>,
    pub connections: Gauge,
    pub connections_opened: Counter,
    pub connections_evicted: Family<ReasonLabels, Counter>,
    pub unknown_connections: Counter,
    pub gaps: Counter,
    pub gap_bytes: Counter,
    pub duplicate_bytes: Counter,
    /// Kernel losses reported by agents (cumulative per agent; summed by the latest report).
    pub parser: Family<ParserLabels, Counter>,
    pub forward: svc::reliable::Metrics,
    /// Configured limits, so dashboards can relate drops to them.
    pub limits: Family<LimitLabels, Gauge>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    pub limit: &'static str,
}

impl Metrics {
    pub fn registry(&self) -> Registry {
        let mut r = Registry::with_prefix("aggregation");
        r.register(
            "agent_streams",
            "Agent capture streams connected",
            self.agent_streams.clone(),
        );
        r.register("batches", "Chunk batches received", self.batches.clone());
        r.register("events", "Connection events received", self.events.clone());
        r.register(
            "transactions",
            "Transactions rebuilt, by protocol",
            self.transactions.clone(),
        );
        r.register(
            "connections",
            "Connections tracked",
            self.connections.clone(),
        );
        r.register(
            "connections_opened",
            "Connections opened",
            self.connections_opened.clone(),
        );
        r.register(
            "connections_evicted",
            "Connections dropped before close, by reason (idle, limit)",
            self.connections_evicted.clone(),
        );
        r.register(
            "unknown_connections",
            "Connections whose first event was data (open event lost or before the agent)",
            self.unknown_connections.clone(),
        );
        r.register(
            "gaps",
            "Holes in captured byte streams (the parser resyncs)",
            self.gaps.clone(),
        );
        r.register(
            "gap_bytes",
            "Bytes missing in captured byte streams",
            self.gap_bytes.clone(),
        );
        r.register(
            "duplicate_bytes",
            "Bytes received twice (resent batches), dropped",
            self.duplicate_bytes.clone(),
        );
        r.register(
            "parser",
            "Protocol parser counters (drops, resyncs, errors, truncations), by counter",
            self.parser.clone(),
        );
        r.register(
            "limit",
            "Configured limits (bytes, connections, seconds), by name",
            self.limits.clone(),
        );
        self.forward.register(&mut r, "transactions_forward");
        r
    }

    /// Adds what changed in a table since `prev` (which is then updated).
    pub fn report_table(&self, prev: &mut TableStats, now: &TableStats) {
        let d = |a: u64, b: u64| a.saturating_sub(b);
        self.connections_opened.inc_by(d(now.opened, prev.opened));
        self.connections_evicted
            .get_or_create(&ReasonLabels { reason: "idle" })
            .inc_by(d(now.evicted_idle, prev.evicted_idle));
        self.connections_evicted
            .get_or_create(&ReasonLabels { reason: "limit" })
            .inc_by(d(now.evicted_limit, prev.evicted_limit));
        self.unknown_connections
            .inc_by(d(now.unknown_connections, prev.unknown_connections));
        self.gaps.inc_by(d(now.gaps, prev.gaps));
        self.gap_bytes.inc_by(d(now.gap_bytes, prev.gap_bytes));
        self.duplicate_bytes
            .inc_by(d(now.duplicate_bytes, prev.duplicate_bytes));
        *prev = now.clone();
    }

    pub fn report_parser(&self, prev: &mut [u64; ParserStats::LEN], now: &[u64; ParserStats::LEN]) {
        let names = ParserStats::default().fields();
        for i in 0..ParserStats::LEN {
            let delta = now[i].saturating_sub(prev[i]);
            if delta > 0 {
                self.parser
                    .get_or_create(&ParserLabels {
                        counter: names[i].0,
                    })
                    .inc_by(delta);
            }
        }
        *prev = *now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_names_drops_and_limits() {
        let m = Metrics::default();
        m.limits
            .get_or_create(&LimitLabels {
                limit: "max_body_bytes",
            })
            .set(1_048_576);
        let mut prev = TableStats::default();
        m.report_table(
            &mut prev,
            &TableStats {
                gaps: 3,
                gap_bytes: 4096,
                evicted_idle: 2,
                ..Default::default()
            },
        );
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &m.registry()).unwrap();
        for line in [
            "aggregation_limit{limit=\"max_body_bytes\"} 1048576",
            "aggregation_gaps_total 3",
            "aggregation_gap_bytes_total 4096",
            "aggregation_connections_evicted_total{reason=\"idle\"} 2",
        ] {
            assert!(
                out.lines().any(|l| l == line),
                "missing {line:?} in:\n{out}"
            );
        }
    }
}
