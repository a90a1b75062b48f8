//! The aggregation crate's pure protocol parsers, compiled on their own for fuzzing.
//!
//! Why not `aggregation = { path = ".." }`: the crate also holds the service (tonic, prost with a
//! protoc build step, tokio), which would all be rebuilt with sanitizer instrumentation for nothing.
//! The parser modules depend only on `exchange`, `copy` and each other, so they are included by path with the
//! same module tree as the crate root.

#[path = "../../src/copy.rs"]
mod copy;
#[path = "../../src/exchange.rs"]
pub mod exchange;
#[path = "../../src/http1/mod.rs"]
pub mod http1;
#[path = "../../src/http2/mod.rs"]
pub mod http2;
#[path = "../../src/parse/mod.rs"]
pub mod parse;
#[path = "../../src/proxy/mod.rs"]
pub mod proxy;
