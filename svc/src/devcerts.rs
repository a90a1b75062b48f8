//! Development PKI (rcgen): a CA and one certificate per component, in the layout
//! [`crate::tls::TlsFiles::in_dir`] reads. For local runs, the demo and tests; a cluster uses
//! cert-manager instead.
use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};

/// The components that get a certificate. Each is both a TLS server (name + localhost SANs) and
/// a client of the next stage, so every certificate carries both extended key usages.
pub const COMPONENTS: [&str; 3] = ["agent", "aggregation", "processing"];

pub struct DevCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl DevCa {
    pub fn new(common_name: &str) -> anyhow::Result<Self> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate()?)?;
        Ok(Self { issuer })
    }

    pub fn ca_pem(&self) -> String {
        self.issuer.pem()
    }

    /// (certificate PEM, key PEM) for `name`, valid for `name`, localhost, 127.0.0.1 and ::1.
    pub fn issue(&self, name: &str) -> anyhow::Result<(String, String)> {
        let sans = vec![
            name.to_owned(),
            "localhost".into(),
            "127.0.0.1".into(),
            "::1".into(),
        ];
        let mut params = CertificateParams::new(sans)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok((cert.pem(), key.serialize_pem()))
    }

    /// Writes `dir/<name>/{ca.crt,tls.crt,tls.key}`; keys are readable by the owner only.
    pub fn write(&self, dir: &Path, name: &str) -> anyhow::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let d = dir.join(name);
        std::fs::create_dir_all(&d)?;
        let (cert, key) = self.issue(name)?;
        std::fs::write(d.join("ca.crt"), self.ca_pem())?;
        std::fs::write(d.join("tls.crt"), cert)?;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(d.join("tls.key"))?;
        std::io::Write::write_all(&mut f, key.as_bytes())?;
        Ok(())
    }
}

/// A CA plus certificates for every component under `dir` (`dir/<component>/…`).
pub fn write_all(dir: &Path) -> anyhow::Result<()> {
    let ca = DevCa::new("wallarm-oob dev CA")?;
    for name in COMPONENTS {
        ca.write(dir, name)?;
    }
    Ok(())
}
