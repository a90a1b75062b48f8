fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A vendored protoc: no system package needed to build from a fresh clone.
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY: build scripts are single-threaded.
    unsafe { std::env::set_var("PROTOC", protoc) };
    tonic_prost_build::configure()
        // Header names and values, and bodies, as `Bytes`: aggregation hands over slices of each
        // message's one buffer instead of an allocation per field and one per body (issue 5).
        .bytes(".wallarm.oob.transaction.v1.Header")
        .bytes(".wallarm.oob.transaction.v1.Request.body")
        .bytes(".wallarm.oob.transaction.v1.Response.body")
        .compile_protos(
            &["proto/capture.proto", "proto/transaction.proto"],
            &["proto"],
        )?;
    Ok(())
}
