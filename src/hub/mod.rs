//! `threshold hub`: the city's service. Kiosks ship their journals to it in
//! signed batches; it checks each batch extends the facility's chain,
//! stores it in PostgreSQL, and answers with a receipt signed by its own
//! key, which anchors each kiosk's record off the box. It keeps each
//! facility's last heartbeat. Hub processes keep no state of their own:
//! several can run behind a load balancer on one database.

pub mod accounts;
pub mod city;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod ingest;
pub mod pages;
pub mod project;
pub mod retention;
pub mod seal;
pub mod stats;
pub mod store;
pub mod verify;
pub mod wake;
pub mod web;

use config::HubConfig;
use deadpool_postgres::Pool;
use ed25519_dalek::{Signer, SigningKey};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The hub's signing key: receipts are signed with it, and kiosks check
/// them against its public half (`[hub] public_key`).
pub struct HubKey(SigningKey);

impl HubKey {
    /// The key in `path` (32 bytes, mode 0600), made when missing and
    /// `create`.
    pub fn open(path: &Path, create: bool) -> anyhow::Result<HubKey> {
        let seed = crate::app::records::load_key(path, create)
            .map_err(|e| anyhow::anyhow!("[hub] key_file: {e}"))?;
        Ok(HubKey(SigningKey::from_bytes(&seed)))
    }

    /// A key from a seed (tests, benchmarks).
    pub fn from_seed(seed: [u8; 32]) -> HubKey {
        HubKey(SigningKey::from_bytes(&seed))
    }

    /// The signature of `message`, hex.
    pub fn sign(&self, message: &str) -> String {
        hex::encode(self.0.sign(message.as_bytes()).to_bytes())
    }

    /// The public key.
    pub fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// The public key, hex.
    pub fn public_hex(&self) -> String {
        hex::encode(self.public())
    }

    /// Its fingerprint, for people to compare.
    pub fn fingerprint(&self) -> String {
        crate::app::records::fingerprint(&self.public())
    }
}

/// The database a config names: its private cluster started (on a
/// blocking thread) when it has one, the pool made, and how to open a
/// connection of its own (for LISTEN).
pub async fn database(
    config: &HubConfig,
) -> anyhow::Result<(Pool, Option<cluster::Cluster>, store::Connect)> {
    let db = &config.database;
    let (url, cluster) = match (&db.url, &db.cluster) {
        (Some(url), _) => (url.clone(), None),
        (None, Some(dir)) => {
            let dir = dir.clone();
            let c = tokio::task::spawn_blocking(move || cluster::Cluster::start(&dir))
                .await?
                .map_err(|e| anyhow::anyhow!("[database] cluster: {e}"))?;
            (c.url(), Some(c))
        }
        (None, None) => anyhow::bail!("[database] needs url or cluster"),
    };
    let password = match &db.password_file {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .map_err(|e| anyhow::anyhow!("[database] password_file {}: {e}", p.display()))?
                .trim_end()
                .to_string(),
        ),
        None => None,
    };
    let tls = match (&db.ca_file, cluster.is_some()) {
        (Some(_), true) => {
            anyhow::bail!("[database] ca_file is for the city's PostgreSQL (url); a private cluster is reached over its Unix socket")
        }
        (Some(p), false) => store::Tls::Verify(Some(p.clone())),
        (None, _) => store::Tls::AsUrlSays,
    };
    let connect = store::Connect::new(&url, password.as_deref(), &tls)?;
    Ok((connect.pool(db.pool)?, cluster, connect))
}

/// Migrate, trying again every 2 s while the database cannot be reached
/// (it may start after the hub), until `stop`.
async fn migrated(
    pool: &Pool,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let mut said = false;
    loop {
        match store::migrate(pool).await {
            Ok(_) => return Ok(()),
            Err(store::DbError::Unreachable(e)) => {
                if !said {
                    tracing::warn!("the database cannot be reached ({e}); trying every 2 s");
                    said = true;
                }
            }
            Err(e) => return Err(e.into()),
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = async { let _ = stop.wait_for(|s| *s).await; } => anyhow::bail!("stopped before the database could be reached"),
        }
    }
}

/// Run the hub until `stop` turns true: the database ready and migrated,
/// the config's facilities enrolled, the kiosks' interface served. Its
/// address is sent on `bound` once listening.
pub async fn serve(
    config: HubConfig,
    mut stop: tokio::sync::watch::Receiver<bool>,
    bound: tokio::sync::oneshot::Sender<SocketAddr>,
) -> anyhow::Result<()> {
    let key = Arc::new(HubKey::open(&config.hub.key_file, true)?);
    let data = Arc::new(seal::DataKey::open(&config.data_key_file(), true)?);
    let tls = config
        .tls_files()
        .map(|(c, k)| crate::admin::serve::tls_config(&c, &k))
        .transpose()
        .map_err(|e| anyhow::anyhow!("{}", e.to_string().replace("[admin]", "[hub]")))?;
    let (pool, cluster, connect) = database(&config).await?;
    let result = async {
        migrated(&pool, &mut stop).await?;
        if project::use_timezone(&pool, &config.web.timezone).await? {
            tracing::info!(
                "visitor counts are by month in {} ([web] timezone)",
                config.web.timezone
            );
        }
        for f in &config.facility {
            let public = store::public_key(&f.key).map_err(anyhow::Error::msg)?;
            if store::enroll(&pool, &f.id, &public).await? == store::Enrolment::New {
                tracing::info!(facility = %f.id, "enrolled from the config");
            }
        }
        tokio::spawn(retention::every_hour(
            pool.clone(),
            config.retention.rules(),
            stop.clone(),
        ));
        let listener = std::net::TcpListener::bind(config.hub.listen).map_err(|e| {
            anyhow::anyhow!("[hub] listen: cannot listen on {}: {e}; stop the program holding it or choose another address", config.hub.listen)
        })?;
        let addr = listener.local_addr()?;
        tracing::info!(
            "hub on {}://{addr}, key fingerprint {}",
            if tls.is_some() { "https" } else { "http" },
            key.fingerprint()
        );
        let _ = bound.send(addr);
        let hub = web::Hub {
            pool: pool.clone(),
            key,
            data,
            issued: Default::default(),
            tz: config.web.tz(),
        };
        tokio::spawn(wake::on_commands(
            connect,
            hub.issued.clone(),
            stop.clone(),
        ));
        let city = city::City::new(&config, hub.clone(), tls.is_some())
            .map_err(anyhow::Error::msg)?;
        let app = web::router(hub).merge(city::router(city));
        let gate = crate::admin::serve::Gate::with_limits(2048, 256, Vec::new());
        let mut stopped = stop.clone();
        crate::admin::serve::serve(listener, app, tls, gate, async move {
            let _ = stopped.wait_for(|s| *s).await;
        })
        .await?;
        anyhow::Ok(())
    }
    .await;
    pool.close();
    if let Some(c) = cluster.filter(|c| c.started) {
        let _ = tokio::task::spawn_blocking(move || c.stop()).await;
    }
    result
}
