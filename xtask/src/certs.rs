//! `cargo xtask certs`: a dev CA and certificates under .dev/certs/<component>/.
use std::path::PathBuf;

use crate::sh;

pub fn dir() -> PathBuf {
    sh::root().join(".dev/certs")
}

pub fn run(force: bool) -> anyhow::Result<PathBuf> {
    let dir = dir();
    let complete = svc::devcerts::COMPONENTS
        .iter()
        .all(|c| dir.join(c).join("tls.key").exists());
    if complete && !force {
        eprintln!("certs: present in {} (--force to replace)", dir.display());
        return Ok(dir);
    }
    svc::devcerts::write_all(&dir)?;
    eprintln!(
        "certs: wrote a dev CA and certificates for {} to {}",
        svc::devcerts::COMPONENTS.join(", "),
        dir.display()
    );
    Ok(dir)
}
