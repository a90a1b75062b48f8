//! Agent metrics (prefix `agent_`). Label values come from code enums only.
use prometheus_client::{
    encoding::{EncodeLabelSet, EncodeLabelValue},
    metrics::{counter::Counter, family::Family, gauge::Gauge},
    registry::Registry,
};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum RecordLabel {
    Data,
    Open,
    Close,
    TlsStart,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: RecordLabel,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: &'static str,
}

#[derive(Clone, Default)]
pub struct Metrics {
    pub records: Family<KindLabels, Counter>,
    pub captured_bytes: Counter,
    /// Kernel-side losses (ring buffer full, truncated payloads, full tables), by reason.
    pub kernel_lost: Family<ReasonLabels, Counter>,
    pub decode_errors: Counter,
    pub selected_cgroups: Gauge,
    pub selected_pids: Gauge,
    pub existing_connections: Counter,
    pub missing_hooks: Gauge,
    pub tls_libraries: Counter,
    pub upstream: svc::reliable::Metrics,
}

impl Metrics {
    pub fn registry(&self) -> Registry {
        let mut r = Registry::with_prefix("agent");
        r.register(
            "records",
            "Ring buffer records read, by kind",
            self.records.clone(),
        );
        r.register(
            "captured_bytes",
            "Payload bytes captured",
            self.captured_bytes.clone(),
        );
        r.register(
            "kernel_lost",
            "Records or bytes lost in the kernel, by reason",
            self.kernel_lost.clone(),
        );
        r.register(
            "decode_errors",
            "Ring buffer records that could not be decoded",
            self.decode_errors.clone(),
        );
        r.register(
            "selected_cgroups",
            "cgroups selected for capture",
            self.selected_cgroups.clone(),
        );
        r.register(
            "selected_pids",
            "Processes selected for capture by pid",
            self.selected_pids.clone(),
        );
        r.register(
            "existing_connections",
            "Connections found already open at start and tracked mid-stream",
            self.existing_connections.clone(),
        );
        r.register(
            "missing_hooks",
            "Optional hooks this kernel could not attach",
            self.missing_hooks.clone(),
        );
        r.register(
            "tls_libraries",
            "libssl files the OpenSSL probes are attached to",
            self.tls_libraries.clone(),
        );
        self.upstream.register(&mut r, "batches");
        r
    }
}
