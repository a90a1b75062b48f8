use clap::Parser;

/// mimalloc rather than the system allocator: rebuilding an exchange allocates its header lists,
/// URI and bodies and the consumer frees them on another thread; with glibc's malloc those calls
/// were an eighth of the HTTP/2 rebuild's instructions (issue 5). The benches use it too.
#[global_allocator]
static ALLOC: aggregation::alloc::Mimalloc = aggregation::alloc::Mimalloc;

fn main() -> std::process::ExitCode {
    let cli = aggregation::config::Cli::parse();
    svc::logging::init(cli.log_format, "info");
    svc::config::run_service("wallarm-oob-aggregation", |shutdown| {
        let cfg = aggregation::config::Config::load(&cli)?;
        Ok(aggregation::run::run(cfg, shutdown))
    })
}
