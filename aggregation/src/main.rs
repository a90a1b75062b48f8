use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = aggregation::config::Cli::parse();
    svc::logging::init(cli.log_format, "info");
    svc::config::run_service("wallarm-oob-aggregation", |shutdown| {
        let cfg = aggregation::config::Config::load(&cli)?;
        Ok(aggregation::run::run(cfg, shutdown))
    })
}
