//! Generated gRPC types. Wire types stay here; each crate converts to its own domain types at
//! its edge.

pub mod capture {
    tonic::include_proto!("wallarm.oob.capture.v1");
}

pub mod transaction {
    tonic::include_proto!("wallarm.oob.transaction.v1");
}
