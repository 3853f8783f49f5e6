//! Serving the router: plain HTTP, or HTTPS with rustls when `[admin]
//! tls_cert` and `tls_key` are set.

use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why HTTPS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("[admin] tls_cert: cannot read certificates from {path}: {reason}; give a PEM file with the server certificate first, then any intermediates", path = .path.display())]
    Certificate { path: PathBuf, reason: String },
    #[error("[admin] tls_key: cannot read a private key from {path}: {reason}; give the PEM key (PKCS#8, PKCS#1 or SEC1) that belongs to tls_cert", path = .path.display())]
    Key { path: PathBuf, reason: String },
    #[error("[admin] tls_cert and tls_key do not belong together, or the key is unsupported: {0}")]
    Mismatch(rustls::Error),
}

/// A TLS server configuration from PEM files.
pub fn tls_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Certificate {
            path: cert.to_path_buf(),
            reason: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Certificate {
            path: cert.to_path_buf(),
            reason: "no CERTIFICATE block in it".into(),
        });
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Key {
        path: key.to_path_buf(),
        reason: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Mismatch)?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(TlsError::Mismatch)?;
    let mut config = config;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serve `app` on `listener` until `stop` resolves; over TLS when `tls` is
/// given. Client addresses reach the handlers (sign-in rate limiting).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Some(tls) = tls else {
        return axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop)
        .await;
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    tokio::pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait, don't spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => return Ok(()),
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(
                std::time::Duration::from_secs(10),
                acceptor.accept(tcp),
            )
            .await
            {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, %peer, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let service = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(peer));
                    let mut app = app.clone();
                    async move {
                        use tower::Service;
                        app.call(req.map(axum::body::Body::new)).await
                    }
                },
            );
            let builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            if let Err(e) = builder
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(error = %e, %peer, "an HTTPS connection ended with an error");
            }
        });
    }
}

/// How long the web server waits before trying again to listen, or to
/// read its certificate, after failing.
pub const RETRY: std::time::Duration = std::time::Duration::from_secs(10);

/// The admin web as one part of the service: listen on `listen` (HTTPS
/// when `tls` names the certificate and key files) and serve until `stop`
/// turns true. A port another program holds, or a certificate that cannot
/// be read, is posted to `health` (and logged once) and tried again every
/// [`RETRY`]; the rest of the service runs on meanwhile. The address it
/// listens on is sent on `bound` once.
pub async fn run(
    state: super::AppState,
    listen: SocketAddr,
    tls: Option<(PathBuf, PathBuf)>,
    mut stop: tokio::sync::watch::Receiver<bool>,
    bound: tokio::sync::oneshot::Sender<SocketAddr>,
) {
    use crate::devices::health::PartKind;
    let health = state.health.clone();
    let location = listen.to_string();
    let mut bound = Some(bound);
    loop {
        let tls_config = match tls.as_ref().map(|(c, k)| tls_config(c, k)).transpose() {
            Ok(t) => Some(t),
            Err(e) => {
                health.broken(
                    "admin-web",
                    PartKind::Service,
                    &location,
                    &e.to_string(),
                    "Fix the file named ([admin] tls_cert / tls_key, PEM, readable by the threshold user); the web server tries again every 10 s. Acknowledge links in pages do not work meanwhile.",
                );
                None
            }
        };
        let listener = match tls_config {
            None => None,
            Some(t) => match std::net::TcpListener::bind(listen)
                .and_then(|l| l.set_nonblocking(true).map(|()| l))
                .and_then(tokio::net::TcpListener::from_std)
            {
                Ok(l) => Some((l, t)),
                Err(e) => {
                    health.broken(
                        "admin-web",
                        PartKind::Service,
                        &location,
                        &format!("cannot listen on {listen}: {e}"),
                        "Another program holds this address: stop it, or change [admin] listen and restart Threshold. The web server tries again every 10 s; the kiosk and alerts work meanwhile, but acknowledge links in pages do not.",
                    );
                    None
                }
            },
        };
        if let Some((listener, tls)) = listener {
            let addr = listener.local_addr().unwrap_or(listen);
            let scheme = if tls.is_some() { "https" } else { "http" };
            health.working(
                "admin-web",
                PartKind::Service,
                &format!("{scheme}://{addr}"),
                "serving",
            );
            if let Some(tx) = bound.take() {
                let _ = tx.send(addr);
            }
            let mut stopped = stop.clone();
            let until = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            match serve(listener, super::router(state.clone()), tls, until).await {
                Ok(()) => return,
                Err(e) => health.broken(
                    "admin-web",
                    PartKind::Service,
                    &location,
                    &format!("the web server stopped: {e}"),
                    "It is started again in 10 s; see the service log.",
                ),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(RETRY) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}
