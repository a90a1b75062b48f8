//! `cargo xtask test`: what CI runs (`.ci/run`).
use crate::{fuzz, setup, sh};

#[derive(clap::Args)]
pub struct Options {
    /// Skip `cargo xtask setup` (when you know everything is installed).
    #[arg(long)]
    pub no_setup: bool,
}

pub fn run(o: Options) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    if !o.no_setup {
        setup::run()?;
    }
    sh::run(sh::cargo().args(["fmt", "--all", "--check"]))?;
    // Builds the eBPF object too (agent/build.rs).
    sh::run(sh::cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    // End-to-end tests load eBPF (root) and start nginx; they share the machine's 2 cores, so
    // test binaries run one at a time.
    // The fuzz targets still compile (their crates are outside the workspace).
    fuzz::check_builds()?;
    sh::run(sh::cargo().args([
        "test",
        "--workspace",
        "--no-fail-fast",
        "--",
        "--test-threads=2",
    ]))?;
    eprintln!("xtask test: all green in {:.0?}", started.elapsed());
    Ok(())
}
