fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A vendored protoc: no system package needed to build from a fresh clone.
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY: build scripts are single-threaded.
    unsafe { std::env::set_var("PROTOC", protoc) };
    tonic_prost_build::configure().compile_protos(
        &["proto/capture.proto", "proto/transaction.proto"],
        &["proto"],
    )?;
    Ok(())
}
