//! Service plumbing shared by agent, aggregation and processing.
pub mod config;
#[cfg(feature = "devcerts")]
pub mod devcerts;
pub mod http;
pub mod logging;
pub mod reliable;
pub mod shutdown;
pub mod tls;
