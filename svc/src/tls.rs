//! mTLS for every gRPC hop: servers require a client certificate issued by the deployment's CA;
//! clients verify the server's name against the same CA.
//!
//! Files follow the cert-manager / `cargo xtask certs` layout: a directory holding `ca.crt`,
//! `tls.crt` and `tls.key`.
use std::path::{Path, PathBuf};

use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source} (create dev certificates with `cargo xtask certs`, or mount the TLS secret)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Paths of one component's TLS material.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    /// `ca.crt`, `tls.crt`, `tls.key` in `dir` (the layout of a kubernetes.io/tls secret with CA).
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            ca: dir.join("ca.crt"),
            cert: dir.join("tls.crt"),
            key: dir.join("tls.key"),
        }
    }

    fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
        std::fs::read(path).map_err(|source| TlsError::Read {
            path: path.to_owned(),
            source,
        })
    }

    /// Server side: present our certificate, require a client certificate signed by the CA.
    pub fn server(&self) -> Result<ServerTlsConfig, TlsError> {
        let identity = Identity::from_pem(Self::read(&self.cert)?, Self::read(&self.key)?);
        Ok(ServerTlsConfig::new()
            .identity(identity)
            .client_ca_root(Certificate::from_pem(Self::read(&self.ca)?))
            .client_auth_optional(false))
    }

    /// Client side: present our certificate, trust only the CA, check `server_name`.
    pub fn client(&self, server_name: &str) -> Result<ClientTlsConfig, TlsError> {
        let identity = Identity::from_pem(Self::read(&self.cert)?, Self::read(&self.key)?);
        Ok(ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(Self::read(&self.ca)?))
            .identity(identity)
            .domain_name(server_name))
    }
}
