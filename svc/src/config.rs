//! Loading a component's YAML configuration file.
use std::path::Path;

/// Reads `path` (when given) as YAML into `T`, or `T::default()`. Unknown keys fail through the
/// type's `deny_unknown_fields`; the error names the file and the key.
pub fn load_yaml<T: serde::de::DeserializeOwned + Default>(
    path: Option<&Path>,
) -> anyhow::Result<T> {
    let Some(path) = path else {
        return Ok(T::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("reading config {}: {e}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|e| anyhow::anyhow!("config {}: {e}", path.display()))
}

/// Runs a service future on a multi-threaded runtime with SIGINT/SIGTERM wired to its shutdown,
/// and turns its error into `<name>: error: …` and a failing exit code.
pub fn run_service<F, Fut>(name: &str, service: F) -> std::process::ExitCode
where
    F: FnOnce(crate::shutdown::Shutdown) -> anyhow::Result<Fut>,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| {
            rt.block_on(async {
                let (trigger, shutdown) = crate::shutdown::channel();
                trigger.on_signals();
                service(shutdown)?.await
            })
        });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
