//! Processing metrics (prefix `processing_`).
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, histogram::Histogram},
    registry::{Registry, Unit},
};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AttackLabels {
    pub attack: &'static str,
}

#[derive(Clone)]
pub struct Metrics {
    pub transactions: Counter,
    pub events: Family<AttackLabels, Counter>,
    pub stored_events: Counter,
    pub store_errors: Counter,
    pub detect_duration: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            transactions: Counter::default(),
            events: Family::default(),
            stored_events: Counter::default(),
            store_errors: Counter::default(),
            detect_duration: Histogram::new([1e-6, 5e-6, 2e-5, 1e-4, 5e-4, 2e-3, 1e-2, 5e-2]),
        }
    }
}

impl Metrics {
    pub fn registry(&self) -> Registry {
        let mut r = Registry::with_prefix("processing");
        r.register(
            "transactions",
            "Transactions analysed",
            self.transactions.clone(),
        );
        r.register(
            "events",
            "Attack events detected, by attack type",
            self.events.clone(),
        );
        r.register(
            "stored_events",
            "Events written to the local store",
            self.stored_events.clone(),
        );
        r.register(
            "store_errors",
            "Failed writes to the local store",
            self.store_errors.clone(),
        );
        r.register_with_unit(
            "detect_duration",
            "Detection time per request",
            Unit::Seconds,
            self.detect_duration.clone(),
        );
        r
    }
}
