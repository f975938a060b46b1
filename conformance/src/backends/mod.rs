//! The two ways to start a [`Backend`]: [`local`] processes (etcd, kube-apiserver, the operator, a Pulsar
//! standalone JVM) and [`containers`] (k3s and Pulsar via testcontainers). Both implement the trait of
//! [`crate::backend`] and share the support of [`crate::process`], [`crate::net`], [`crate::kubeutil`] and
//! [`crate::certs`]; neither imports the other or this module.

use crate::backend::{Backend, BackendKind};
use crate::error::Result;

pub mod containers;
pub mod local;

/// Starts the backend selected by `kind`.
pub async fn start(kind: BackendKind) -> Result<Box<dyn Backend>> {
    match kind {
        BackendKind::Local => Ok(Box::new(local::LocalBackend::start().await?)),
        BackendKind::Testcontainers => Ok(Box::new(containers::ContainersBackend::start().await?)),
    }
}
