//! The rustls client configuration of a transport.
//!
//! What needs no I/O (the bundled roots, the extra certificates) is checked
//! when the transport is created, so a bad certificate is a setup error. The
//! system's certificate store takes milliseconds to read (hundreds of files
//! on a typical Linux host), so it is read on the first HTTPS connection:
//! plain-HTTP use — the emulator, IMDS, the container endpoint — never pays
//! for it.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use super::config::{RootSource, TlsRoots};
use super::error::{TransportError, TransportErrorKind};

/// Roots checked up front, and the client config built from them once.
pub(crate) struct Tls {
    source: RootSource,
    /// The bundled and extra roots; the system's are added on first use.
    base: RootCertStore,
    config: OnceLock<Arc<ClientConfig>>,
    /// Held while the system store is read, so that connections opened
    /// together read it once, not once each.
    loading: Mutex<()>,
}

impl Tls {
    /// Checks the roots that need no I/O; fails on an unusable extra
    /// certificate or when nothing at all would be trusted.
    pub(crate) fn new(roots: &TlsRoots) -> Result<Tls, TransportError> {
        let mut base = RootCertStore::empty();
        #[cfg(feature = "webpki-roots")]
        if roots.source() == RootSource::WebPki {
            base.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for (i, der) in roots.extra_der().iter().enumerate() {
            base.add(CertificateDer::from(der.clone())).map_err(|e| {
                TransportError::new(TransportErrorKind::Tls, "", 0)
                    .text(format!(
                        "extra root certificate #{} is not a usable DER X.509 certificate; \
                         pass the DER bytes, not PEM text",
                        i + 1
                    ))
                    .with_source(e)
            })?;
        }
        if roots.source() == RootSource::None && base.is_empty() {
            return Err(TransportError::general(
                TransportErrorKind::Tls,
                "no root certificate to trust: RootSource::None needs at least one extra certificate",
            ));
        }
        Ok(Tls {
            source: roots.source(),
            base,
            config: OnceLock::new(),
            loading: Mutex::new(()),
        })
    }

    /// The client config, built on the first call: ring as the crypto
    /// provider (no global default is installed or needed), TLS 1.2 and
    /// 1.3, ALPN `http/1.1` only. A failure (no usable system roots) is not
    /// kept, so a store repaired meanwhile is picked up by the next call.
    pub(crate) fn client_config(&self) -> Result<&Arc<ClientConfig>, TransportError> {
        if let Some(config) = self.config.get() {
            return Ok(config);
        }
        let _loading = self.loading.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(config) = self.config.get() {
            return Ok(config);
        }
        let mut store = self.base.clone();
        if self.source == RootSource::Native {
            add_system_roots(&mut store, rustls_native_certs::load_native_certs())?;
        }
        let built = build(store)?;
        Ok(self.config.get_or_init(|| built))
    }
}

fn build(store: RootCertStore) -> Result<Arc<ClientConfig>, TransportError> {
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

/// What to do when the system has no usable roots; the bundled ones are
/// only offered when this build has them.
#[cfg(feature = "webpki-roots")]
const NO_SYSTEM_ROOTS: &str = "no usable root certificate in the system's certificate store; \
     install the CA certificates package (or point SSL_CERT_FILE at a PEM bundle), \
     or use the bundled Mozilla roots (TlsRoots::webpki())";
#[cfg(not(feature = "webpki-roots"))]
const NO_SYSTEM_ROOTS: &str = "no usable root certificate in the system's certificate store; \
     install the CA certificates package (or point SSL_CERT_FILE at a PEM bundle), \
     or build awssts with its `webpki-roots` feature and use the bundled Mozilla roots \
     (TlsRoots::webpki())";

fn add_system_roots(
    store: &mut RootCertStore,
    found: rustls_native_certs::CertificateResult,
) -> Result<(), TransportError> {
    let (added, _ignored) = store.add_parsable_certificates(found.certs);
    if added == 0 {
        let mut err = TransportError::general(TransportErrorKind::Tls, NO_SYSTEM_ROOTS);
        if let Some(first) = found.errors.into_iter().next() {
            err = err.with_source(first);
        }
        return Err(err);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_roots_are_the_default() {
        assert_eq!(TlsRoots::default().source(), RootSource::Native);
    }

    #[test]
    fn an_empty_system_store_says_how_to_get_roots() {
        let mut store = RootCertStore::empty();
        let err = add_system_roots(&mut store, Default::default()).unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Tls);
        let text = err.to_string();
        assert!(text.contains("SSL_CERT_FILE"), "{text}");
        assert!(text.contains("TlsRoots::webpki()"), "{text}");
        assert_eq!(
            text.contains("`webpki-roots` feature"),
            cfg!(not(feature = "webpki-roots")),
            "{text}"
        );
    }

    #[test]
    fn garbage_extra_root_is_refused_by_position() {
        let roots = TlsRoots::only_extra().with_extra_der(b"-----BEGIN CERTIFICATE-----".to_vec());
        let err = Tls::new(&roots).err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|m| m.contains("extra root certificate #1")),
            "{err:?}"
        );
    }

    #[test]
    fn no_roots_at_all_is_refused() {
        let err = Tls::new(&TlsRoots::only_extra()).err();
        assert_eq!(err.map(|e| e.kind()), Some(TransportErrorKind::Tls));
    }

    #[cfg(feature = "webpki-roots")]
    #[test]
    fn bundled_roots_build_without_io() {
        let tls = Tls::new(&TlsRoots::webpki()).ok();
        assert!(tls.as_ref().is_some_and(|t| t.base.len() > 100));
        assert!(tls.is_some_and(|t| t.client_config().is_ok()));
    }
}
