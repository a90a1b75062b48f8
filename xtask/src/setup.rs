//! Installs what building and testing need, only when it is missing (a second run takes seconds).
//! Facts behind each step: shared/notes/ebpf-toolchain.md.
use std::process::Command;

use crate::sh;

/// Keep in sync with agent/build.rs. Its LLVM (22) must match bpf-linker's.
pub const EBPF_TOOLCHAIN: &str = "nightly-2026-05-20";
const BPF_LINKER_VERSION: &str = "0.13.0";
const LLVM_PREFIX: &str = "/usr/lib/llvm-22";

/// Debian packages: LLVM 22 for bpf-linker; real peers for the end-to-end tests and the demo.
const APT_PACKAGES: &[&str] = &[
    "llvm-22-dev",
    "libpolly-22-dev",
    "clang-22",
    "bpftool",
    "nginx-light",
    "curl",
    "haproxy",
    "nghttp2-client",
    "iproute2",
];

fn apt_installed(pkg: &str) -> bool {
    sh::output(Command::new("dpkg-query").args(["-W", "-f=${Status}", pkg]))
        .is_some_and(|s| s.contains("install ok installed"))
}

fn apt() -> anyhow::Result<()> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|p| !apt_installed(p))
        .collect();
    if missing.is_empty() {
        eprintln!("setup: Debian packages present");
        return Ok(());
    }
    eprintln!("setup: installing Debian packages: {}", missing.join(" "));
    sh::run(Command::new("apt-get").args(["update", "-qq"]))?;
    sh::run(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing),
    )
}

fn toolchain() -> anyhow::Result<()> {
    let installed = sh::output(Command::new("rustup").args(["toolchain", "list"]))
        .is_some_and(|s| s.lines().any(|l| l.starts_with(EBPF_TOOLCHAIN)));
    if !installed {
        eprintln!("setup: installing {EBPF_TOOLCHAIN} (eBPF builds)");
        sh::run(Command::new("rustup").args([
            "toolchain",
            "install",
            EBPF_TOOLCHAIN,
            "--profile",
            "minimal",
            "--component",
            "rust-src",
        ]))?;
        return Ok(());
    }
    let has_src = sh::output(Command::new("rustup").args([
        "component",
        "list",
        "--installed",
        "--toolchain",
        EBPF_TOOLCHAIN,
    ]))
    .is_some_and(|s| s.lines().any(|l| l.starts_with("rust-src")));
    if !has_src {
        sh::run(Command::new("rustup").args([
            "component",
            "add",
            "rust-src",
            "--toolchain",
            EBPF_TOOLCHAIN,
        ]))?;
    }
    eprintln!("setup: {EBPF_TOOLCHAIN} with rust-src present");
    Ok(())
}

fn bpf_linker() -> anyhow::Result<()> {
    let ok = sh::output(Command::new("bpf-linker").arg("--version"))
        .is_some_and(|v| v.contains(BPF_LINKER_VERSION));
    if ok {
        eprintln!("setup: bpf-linker {BPF_LINKER_VERSION} present");
        return Ok(());
    }
    eprintln!("setup: building bpf-linker {BPF_LINKER_VERSION} against LLVM 22 (about a minute)");
    // Without LLVM_PREFIX its build script picks /usr/bin/llvm-config (LLVM 14) and fails late.
    sh::run(
        Command::new("cargo")
            .env("LLVM_PREFIX", LLVM_PREFIX)
            .env_remove("RUSTUP_TOOLCHAIN")
            .args([
                "install",
                "--locked",
                "bpf-linker",
                "--version",
                BPF_LINKER_VERSION,
            ])
            .args(["--no-default-features", "--features", "llvm-22", "--force"]),
    )
}

fn components() -> anyhow::Result<()> {
    for c in ["rustfmt", "clippy"] {
        let has = sh::output(Command::new("rustup").args(["component", "list", "--installed"]))
            .is_some_and(|s| s.lines().any(|l| l.starts_with(c)));
        if !has {
            sh::run(Command::new("rustup").args(["component", "add", c]))?;
        }
    }
    Ok(())
}

pub fn run() -> anyhow::Result<()> {
    if !nix_is_root() {
        anyhow::bail!("setup installs Debian packages and must run as root");
    }
    apt()?;
    toolchain()?;
    components()?;
    bpf_linker()?;
    Ok(())
}

fn nix_is_root() -> bool {
    sh::output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}
