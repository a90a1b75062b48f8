//! Processing: points, decoders and detectors over rebuilt HTTP requests; events and sinks.
pub mod attack;
pub mod config;
pub mod convert;
pub mod detect;
pub mod event;
pub mod metrics;
pub mod model;
pub mod point;
pub mod run;
pub mod scan;
pub mod server;
pub mod sink;
pub mod store;
