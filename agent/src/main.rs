use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = agent::config::Cli::parse();
    svc::logging::init(cli.log_format, "info");
    svc::config::run_service("wallarm-oob-agent", |shutdown| {
        let cfg = agent::config::Config::load(&cli)?;
        Ok(agent::run::run(cfg, shutdown))
    })
}
