//! Key material for the local control plane: a CA, the API server's serving certificate, a client
//! certificate in `system:masters` for the harness and the operator, and the service-account signing key.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

use crate::error::{HarnessError, Result};

/// Paths of the generated files.
#[derive(Debug, Clone)]
pub struct ControlPlaneCerts {
    /// CA certificate (PEM), trusted for serving and client certificates.
    pub ca_cert: PathBuf,
    /// API server serving certificate (PEM).
    pub serving_cert: PathBuf,
    /// API server serving key (PEM).
    pub serving_key: PathBuf,
    /// Client certificate (PEM), CN `fmesh-conformance`, O `system:masters`.
    pub client_cert: PathBuf,
    /// Client key (PEM).
    pub client_key: PathBuf,
    /// Service-account signing key (PEM, PKCS#8).
    pub sa_key: PathBuf,
    /// Service-account public key (PEM).
    pub sa_pub: PathBuf,
}

impl ControlPlaneCerts {
    /// Generates everything into `dir`.
    pub fn generate(dir: &Path) -> Result<ControlPlaneCerts> {
        std::fs::create_dir_all(dir)
            .map_err(|e| HarnessError::io(format!("mkdir {}", dir.display()), e))?;
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "fmesh-conformance-ca");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let serving_key = KeyPair::generate()?;
        let mut sp = CertificateParams::new(vec![
            "localhost".to_owned(),
            "kubernetes".to_owned(),
            "kubernetes.default".to_owned(),
        ])?;
        sp.subject_alt_names
            .push(SanType::IpAddress(std::net::IpAddr::V4(
                std::net::Ipv4Addr::LOCALHOST,
            )));
        sp.distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        sp.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let serving_cert = sp.signed_by(&serving_key, &issuer)?;

        let client_key = KeyPair::generate()?;
        let mut cp = CertificateParams::new(Vec::<String>::new())?;
        cp.distinguished_name
            .push(DnType::CommonName, "fmesh-conformance");
        cp.distinguished_name
            .push(DnType::OrganizationName, "system:masters");
        cp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        cp.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let client_cert = cp.signed_by(&client_key, &issuer)?;

        let sa = KeyPair::generate()?;

        let out = ControlPlaneCerts {
            ca_cert: dir.join("ca.crt"),
            serving_cert: dir.join("apiserver.crt"),
            serving_key: dir.join("apiserver.key"),
            client_cert: dir.join("client.crt"),
            client_key: dir.join("client.key"),
            sa_key: dir.join("sa.key"),
            sa_pub: dir.join("sa.pub"),
        };
        write(&out.ca_cert, &ca_cert.pem())?;
        write(&out.serving_cert, &serving_cert.pem())?;
        write(&out.serving_key, &serving_key.serialize_pem())?;
        write(&out.client_cert, &client_cert.pem())?;
        write(&out.client_key, &client_key.serialize_pem())?;
        write(&out.sa_key, &sa.serialize_pem())?;
        write(&out.sa_pub, &sa.public_key_pem())?;
        Ok(out)
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| HarnessError::io(format!("write {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_pem_files() {
        let dir = std::env::temp_dir().join(format!("fmesh-certs-test-{}", std::process::id()));
        let c = ControlPlaneCerts::generate(&dir).unwrap();
        for p in [&c.ca_cert, &c.serving_cert, &c.client_cert] {
            assert!(std::fs::read_to_string(p)
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----"));
        }
        assert!(std::fs::read_to_string(&c.sa_key)
            .unwrap()
            .contains("PRIVATE KEY"));
        assert!(std::fs::read_to_string(&c.sa_pub)
            .unwrap()
            .contains("PUBLIC KEY"));
    }
}
