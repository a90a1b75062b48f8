//! `cargo xtask fuzz [TARGET…] [--secs N]`: runs the cargo-fuzz targets of aggregation and
//! processing (libFuzzer, the pinned nightly), each for N seconds (default 600), one after the
//! other, and prints executions and crashes per target. Installs cargo-fuzz when missing.
//! A crash keeps its reproducer under `<crate>/fuzz/artifacts/<target>/` and fails the run.

use std::process::Command;

use anyhow::{bail, Context as _};

use crate::{setup::EBPF_TOOLCHAIN, sh};

const CARGO_FUZZ_VERSION: &str = "0.13.1";

/// (crate, target) pairs; the fuzz crates list their targets in `fuzz/Cargo.toml`.
fn targets() -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for krate in ["aggregation", "processing"] {
        let manifest = sh::root().join(krate).join("fuzz/Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("reading {}", manifest.display()))?;
        for line in text.lines() {
            if let Some(name) = line.trim().strip_prefix("name = \"") {
                let name = name.trim_end_matches('"');
                if !name.ends_with("-fuzz") {
                    out.push((krate.to_owned(), name.to_owned()));
                }
            }
        }
    }
    Ok(out)
}

fn ensure_cargo_fuzz() -> anyhow::Result<()> {
    let present = sh::output(Command::new("cargo").args(["fuzz", "--version"]))
        .is_some_and(|v| v.contains(CARGO_FUZZ_VERSION));
    if !present {
        sh::run(Command::new("cargo").env_remove("RUSTUP_TOOLCHAIN").args([
            "install",
            "--locked",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ_VERSION,
        ]))?;
    }
    Ok(())
}

/// `cargo +<pinned nightly> fuzz` in a fuzz crate (libFuzzer needs nightly's sanitizer flags).
fn fuzz_cmd(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(dir)
        .env_remove("RUSTUP_TOOLCHAIN")
        .arg(format!("+{EBPF_TOOLCHAIN}"))
        .arg("fuzz");
    cmd
}

/// Type-checks every fuzz crate as `cargo fuzz` compiles it (`--cfg fuzzing`, the pinned
/// nightly), without running anything: the fuzz crates are workspaces of their own that include
/// parser modules by path, so a change to the parsers can break them while every workspace check
/// stays green (`cargo xtask test` runs this).
pub fn check_builds() -> anyhow::Result<()> {
    for krate in ["aggregation", "processing"] {
        sh::run(
            Command::new("cargo")
                .current_dir(sh::root().join(krate).join("fuzz"))
                .env_remove("RUSTUP_TOOLCHAIN")
                .env("RUSTFLAGS", "--cfg fuzzing")
                .arg(format!("+{EBPF_TOOLCHAIN}"))
                .args(["check", "--bins", "--quiet"]),
        )?;
    }
    Ok(())
}

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut secs = 600u64;
    let mut wanted = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--secs" => {
                secs = it
                    .next()
                    .context("--secs needs a number")?
                    .parse()
                    .context("--secs is a whole number of seconds")?;
            }
            t => wanted.push(t.to_owned()),
        }
    }
    let all = targets()?;
    for w in &wanted {
        if !all.iter().any(|(_, t)| t == w) {
            let names: Vec<&str> = all.iter().map(|(_, t)| t.as_str()).collect();
            bail!("no fuzz target {w:?}; known: {}", names.join(", "));
        }
    }
    ensure_cargo_fuzz()?;
    let mut failed = Vec::new();
    let mut summary = Vec::new();
    for (krate, target) in all
        .iter()
        .filter(|(_, t)| wanted.is_empty() || wanted.contains(t))
    {
        let dir = sh::root().join(krate).join("fuzz");
        let corpus = dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).context("creating the fuzz corpus dir")?;
        // Build with visible output first: a compile error is not a crash.
        sh::run(
            fuzz_cmd(&dir)
                .args(["build", "--fuzz-dir", "."])
                .arg(target),
        )?;
        eprintln!("fuzz: {krate}/{target} for {secs} s");
        let out = fuzz_cmd(&dir)
            .args(["run", "--fuzz-dir", "."])
            .arg(target)
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={secs}"))
            .arg("-print_final_stats=1")
            .output()
            .with_context(|| format!("running cargo fuzz for {target}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        let execs = log
            .lines()
            .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
            .map_or("?".to_owned(), |v| v.trim().to_owned());
        let crashed = !out.status.success();
        summary.push(format!(
            "{krate}/{target}: {execs} executions in {secs} s, {}",
            if crashed { "CRASHED" } else { "0 crashes" }
        ));
        if crashed {
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            failed.push(target.clone());
        }
    }
    for line in &summary {
        println!("{line}");
    }
    if !failed.is_empty() {
        bail!("fuzz targets crashed: {}", failed.join(", "));
    }
    Ok(())
}
