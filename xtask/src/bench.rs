//! `cargo xtask bench [aggregation|processing]`: criterion benchmarks, measured side by side in
//! one run (figures are ratios to a baseline measured in the same run, not absolute targets).
use crate::sh;

const CRATES: [&str; 2] = ["aggregation", "processing"];

pub fn run(which: Option<String>) -> anyhow::Result<()> {
    let crates: Vec<&str> = match which.as_deref() {
        None => CRATES.to_vec(),
        Some(c) if CRATES.contains(&c) => vec![c],
        Some(other) => anyhow::bail!(
            "no benchmarks for {other:?}; choose one of {}",
            CRATES.join(", ")
        ),
    };
    for c in crates {
        sh::run(sh::cargo().args(["bench", "-p", c]))?;
    }
    Ok(())
}
