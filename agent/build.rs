//! Builds the eBPF object with the pinned nightly (its LLVM must match bpf-linker's: see
//! shared/notes/ebpf-toolchain.md) and embeds it. `cargo xtask setup` installs both.
use std::path::PathBuf;

/// Keep in sync with xtask/src/setup.rs (EBPF_TOOLCHAIN).
const EBPF_TOOLCHAIN: &str = "nightly-2026-05-20";

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../agent-ebpf");
    let root = root.canonicalize()?;
    println!("cargo:rerun-if-changed={}", root.display());
    println!(
        "cargo:rerun-if-changed={}",
        root.join("../agent-common").canonicalize()?.display()
    );
    let package = aya_build::Package {
        name: "agent-ebpf",
        root_dir: root
            .to_str()
            .ok_or_else(|| anyhow::anyhow!("non-UTF-8 path"))?,
        ..Default::default()
    };
    aya_build::build_ebpf([package], aya_build::Toolchain::Custom(EBPF_TOOLCHAIN)).map_err(|e| {
        anyhow::anyhow!(
            "building the eBPF programs failed: {e:#}. The cause is in the `warning:` lines above; \
             run `cargo xtask setup` to install the pinned nightly, rust-src and bpf-linker"
        )
    })
}
