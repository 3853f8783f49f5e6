//! Serving the router (axum-server on hyper): plain HTTP, or HTTPS with
//! rustls when `[admin] tls_cert` and `tls_key` are set. The web shares a
//! process with the kiosk and the alert dispatcher, so no client may hold
//! it: headers must arrive within [`HEADER_READ`], idle kept-alive
//! connections close after as long, a request is answered within
//! [`REQUEST`], and connections are capped in all and per client network.

use super::client;
use axum::Router;
use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use ipnet::IpNet;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

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

/// How long a client may take to send a request's headers, and how long a
/// kept-alive connection may sit idle before its next request.
pub const HEADER_READ: Duration = Duration::from_secs(10);
/// How long a request may take in all, its body included (a client that
/// sends its form a byte at a time is answered 408).
pub const REQUEST: Duration = Duration::from_secs(30);
/// How long a TLS handshake may take.
pub const HANDSHAKE: Duration = Duration::from_secs(10);
/// Open connections at most. The service's file limit (`LimitNOFILE=8192`
/// in the units, 1,024 at the least) keeps the rest for the record, the
/// dispatcher's own connections and the devices.
pub const CONNECTIONS: usize = 512;
/// Open connections at most from one client network (an IPv4 address or
/// an IPv6 /64), trusted proxies excepted. Browsers open six per site.
pub const PER_CLIENT: usize = 32;
/// At shutdown, requests in progress get this long to finish.
const GRACE: Duration = Duration::from_secs(2);

/// Counts open connections, in all and per client network, and refuses
/// those beyond [`CONNECTIONS`] and [`PER_CLIENT`].
#[derive(Clone)]
pub struct Gate(Arc<GateState>);

struct GateState {
    total: usize,
    per_client: usize,
    proxies: Vec<IpNet>,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
    /// Refused since the last warning, and when that was.
    refused: u64,
    warned: Option<Instant>,
}

/// A connection let in; leaving when dropped.
pub struct Ticket {
    gate: Gate,
    client: Option<IpAddr>,
}

impl Gate {
    /// A gate with the service's limits; `proxies` are not capped per client.
    pub fn new(proxies: Vec<IpNet>) -> Gate {
        Gate::with_limits(CONNECTIONS, PER_CLIENT, proxies)
    }

    pub fn with_limits(total: usize, per_client: usize, proxies: Vec<IpNet>) -> Gate {
        Gate(Arc::new(GateState {
            total,
            per_client,
            proxies,
            open: Mutex::new(Open::default()),
        }))
    }

    /// Let a connection from `peer` in, unless a cap is reached.
    pub fn enter(&self, peer: IpAddr) -> Option<Ticket> {
        let client = (!client::trusted(peer, &self.0.proxies)).then(|| client::network_of(peer));
        let mut open = self.0.open.lock().unwrap_or_else(|p| p.into_inner());
        let from_client = client.map_or(0, |c| open.by_client.get(&c).copied().unwrap_or(0));
        if open.total >= self.0.total || from_client >= self.0.per_client {
            open.refused += 1;
            // Said at most once a minute, with how many: a flood must not
            // become a flood of log lines.
            if open
                .warned
                .is_none_or(|t| t.elapsed() >= Duration::from_secs(60))
            {
                tracing::warn!(
                    refused = open.refused,
                    open = open.total,
                    from = %peer,
                    "admin web: connections refused at the cap ({} in all, {} per client)",
                    self.0.total,
                    self.0.per_client
                );
                open.refused = 0;
                open.warned = Some(Instant::now());
            }
            return None;
        }
        open.total += 1;
        if let Some(c) = client {
            *open.by_client.entry(c).or_default() += 1;
        }
        Some(Ticket {
            gate: self.clone(),
            client,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.0.open.lock().map(|o| o.total).unwrap_or(0)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self.gate.0.open.lock().unwrap_or_else(|p| p.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(c) = self.client {
            if let Some(n) = open.by_client.get_mut(&c) {
                *n -= 1;
                if *n == 0 {
                    open.by_client.remove(&c);
                }
            }
        }
    }
}

/// The acceptor that passes connections through the [`Gate`]; a refused
/// connection is closed at once.
#[derive(Clone)]
pub struct Capped(pub Gate);

impl<S> Accept<TcpStream, S> for Capped {
    type Stream = Admitted;
    type Service = S;
    type Future = std::future::Ready<std::io::Result<(Admitted, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream.peer_addr().and_then(|peer| {
            let ticket = self.0.enter(peer.ip()).ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "over the cap")
            })?;
            let _ = stream.set_nodelay(true);
            Ok(Admitted {
                stream,
                _ticket: ticket,
            })
        });
        std::future::ready(admitted.map(|a| (a, service)))
    }
}

/// A connection inside the caps.
pub struct Admitted {
    stream: TcpStream,
    _ticket: Ticket,
}

impl AsyncRead for Admitted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Admitted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// HTTP/1.1 only (no connection-level multiplexing to hold open), with the
/// header-read and idle timeouts.
fn http1(builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>) {
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ)
        .keep_alive(true)
        .max_buf_size(64 * 1024);
}

/// Serve `app` on `listener` until `stop` resolves, over TLS when `tls` is
/// given, letting connections in through `gate`. Client addresses reach the
/// handlers (sign-in limits).
pub async fn serve(
    listener: std::net::TcpListener,
    app: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    gate: Gate,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let draining = handle.clone();
    tokio::spawn(async move {
        stop.await;
        draining.graceful_shutdown(Some(GRACE));
    });
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let server = axum_server::from_tcp(listener)?.handle(handle).http1_only();
    match tls {
        None => {
            let mut server = server.acceptor(Capped(gate));
            http1(server.http_builder());
            server.serve(app).await
        }
        Some(config) => {
            let acceptor = RustlsAcceptor::new(RustlsConfig::from_config(config))
                .handshake_timeout(HANDSHAKE)
                .acceptor(Capped(gate));
            let mut server = server.acceptor(acceptor);
            http1(server.http_builder());
            server.serve(app).await
        }
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
            Some(t) => match std::net::TcpListener::bind(listen) {
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
            let gate = Gate::new(state.loaded.config.admin.proxies());
            match serve(listener, super::router(state.clone()), tls, gate, until).await {
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
