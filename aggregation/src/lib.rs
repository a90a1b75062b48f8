//! Aggregation: reassembles captured connection byte streams and rebuilds HTTP transactions.
pub mod alloc;
pub mod config;
pub mod conn;
mod copy;
pub mod exchange;
pub mod forward;
pub mod http1;
pub mod http2;
pub mod metrics;
pub mod parse;
pub mod proxy;
pub mod reassembly;
pub mod recording;
pub mod run;
pub mod server;
pub mod transaction;
