use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = agent::config::Cli::parse();
    svc::logging::init(cli.log_format, "info");
    let result = agent::config::Config::load(&cli).and_then(|cfg| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let (trigger, shutdown) = svc::shutdown::channel();
            trigger.on_signals();
            agent::run::run(cfg, shutdown).await
        })
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wallarm-oob-agent: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
