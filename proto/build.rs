fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A vendored protoc: no system package needed to build from a fresh clone.
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY: build scripts are single-threaded.
    unsafe { std::env::set_var("PROTOC", protoc) };
    tonic_prost_build::configure()
        // Header names and values as `Bytes`: aggregation hands over slices of each message's one
        // header buffer instead of two allocations per field (issue 5).
        .bytes(".wallarm.oob.transaction.v1.Header")
        .compile_protos(
            &["proto/capture.proto", "proto/transaction.proto"],
            &["proto"],
        )?;
    Ok(())
}
