//! `cargo xtask <command>`: everything the project needs, installed and run from here.
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench;
mod certs;
mod demo;
mod eval;
mod fuzz;
mod setup;
mod sh;
mod test;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "wallarm-oob project tasks")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install what is missing (Debian packages, pinned eBPF nightly + rust-src, bpf-linker). Idempotent.
    Setup,
    /// Make a dev CA and certificates for agent, aggregation and processing (.dev/certs).
    Certs {
        /// Replace existing certificates.
        #[arg(long)]
        force: bool,
    },
    /// Build, start everything locally against a real nginx, send attacks, show the events.
    Demo(demo::Options),
    /// Everything CI checks: setup, build (eBPF included), fmt, clippy, all tests.
    Test(test::Options),
    /// Criterion benchmarks (aggregation parsers, processing detection).
    Bench {
        /// Only this crate: aggregation or processing.
        krate: Option<String>,
        /// Aggregation's figures that do not need criterion's minutes: allocations, memory,
        /// speed relative to httparse, instructions per exchange (for tuning, about a minute).
        #[arg(long)]
        quick: bool,
    },
    /// Detection quality on ../shared/corpora, side by side with ModSecurity + CRS.
    Eval {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the cargo-fuzz targets (`[TARGET…] [--secs N]`, default every target for 600 s).
    Fuzz {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Setup => setup::run(),
        Cmd::Certs { force } => certs::run(force).map(|_| ()),
        Cmd::Demo(o) => demo::run(o),
        Cmd::Test(o) => test::run(o),
        Cmd::Eval { args } => eval::run(&args),
        Cmd::Fuzz { args } => fuzz::run(&args),
        Cmd::Bench { krate, quick } => bench::run(krate, quick),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
