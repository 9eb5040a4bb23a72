//! The rustls client configuration, built once per transport.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use super::config::{RootSource, TlsRoots};
use super::error::{TransportError, TransportErrorKind};

/// Builds the client config: ring as the crypto provider (no global default
/// is installed or needed), TLS 1.2 and 1.3, ALPN `http/1.1` only.
pub(crate) fn client_config(roots: &TlsRoots) -> Result<Arc<ClientConfig>, TransportError> {
    let store = root_store(roots)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            TransportError::general(
                TransportErrorKind::Tls,
                "the TLS crypto provider supports no safe protocol version",
            )
            .with_source(e)
        })?
        .with_root_certificates(store)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn root_store(roots: &TlsRoots) -> Result<RootCertStore, TransportError> {
    let mut store = RootCertStore::empty();
    match roots.source() {
        RootSource::WebPki => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        RootSource::Native => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _ignored) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                let mut err = TransportError::general(
                    TransportErrorKind::Tls,
                    "no usable root certificate in the system's certificate store; \
                     install the CA certificates package or use the bundled roots \
                     (TlsRoots::webpki())",
                );
                if let Some(first) = found.errors.into_iter().next() {
                    err = err.with_source(first);
                }
                return Err(err);
            }
        }
        RootSource::None => {}
    }
    for (i, der) in roots.extra_der().iter().enumerate() {
        store.add(CertificateDer::from(der.clone())).map_err(|e| {
            TransportError::new(TransportErrorKind::Tls, "", 0)
                .text(format!(
                    "extra root certificate #{} is not a usable DER X.509 certificate; \
                         pass the DER bytes, not PEM text",
                    i + 1
                ))
                .with_source(e)
        })?;
    }
    if store.is_empty() {
        return Err(TransportError::general(
            TransportErrorKind::Tls,
            "no root certificate to trust: RootSource::None needs at least one extra certificate",
        ));
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_roots_build() {
        assert!(client_config(&TlsRoots::webpki()).is_ok());
    }

    #[test]
    fn garbage_extra_root_is_refused_by_position() {
        let roots = TlsRoots::webpki().with_extra_der(b"-----BEGIN CERTIFICATE-----".to_vec());
        let err = client_config(&roots).err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|m| m.contains("extra root certificate #1")),
            "{err:?}"
        );
    }

    #[test]
    fn no_roots_at_all_is_refused() {
        let err = client_config(&TlsRoots::only_extra()).err();
        assert_eq!(err.map(|e| e.kind()), Some(TransportErrorKind::Tls));
    }
}
