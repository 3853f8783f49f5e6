//! The hub's PostgreSQL store: the connection pool, the embedded
//! migrations, and enrolment. Every hub process of a city works on the one
//! database and keeps nothing of its own, so any of them can take any
//! kiosk's next batch.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::time::Duration;
use tokio_postgres::NoTls;

/// The hub's schema, in order. The version applied is kept in `hub_schema`;
/// a database from a newer hub is refused.
pub const MIGRATIONS: &[&str] = &[
    // 1: facilities and their keys, the entries they shipped, the receipts
    // the hub signed, the batches refused as forks, the last heartbeat.
    r#"
    CREATE TABLE facilities (
        id            text PRIMARY KEY,
        public_key    bytea NOT NULL CHECK (length(public_key) = 32),
        enrolled_at   timestamptz NOT NULL DEFAULT now(),
        head_seq      bigint NOT NULL DEFAULT 0,
        head_hash     bytea NOT NULL DEFAULT decode(repeat('00', 32), 'hex'),
        last_batch_at timestamptz
    );
    CREATE TABLE entries (
        facility    text NOT NULL REFERENCES facilities (id),
        seq         bigint NOT NULL,
        at          text NOT NULL,
        kind        text NOT NULL,
        subject     text NOT NULL,
        body        text NOT NULL,
        hash        bytea NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (facility, seq)
    );
    CREATE TABLE receipts (
        facility  text NOT NULL REFERENCES facilities (id),
        seq       bigint NOT NULL,
        head_hash bytea NOT NULL,
        issued_at text NOT NULL,
        signature text NOT NULL,
        PRIMARY KEY (facility, seq)
    );
    CREATE TABLE forks (
        id          bigserial PRIMARY KEY,
        facility    text NOT NULL REFERENCES facilities (id),
        seq         bigint NOT NULL,
        exact       boolean NOT NULL,
        detail      text NOT NULL,
        batch       text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE heartbeats (
        facility    text PRIMARY KEY REFERENCES facilities (id),
        sent_at     text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        report      jsonb NOT NULL
    );
    "#,
    // 2: encounters' personal values (officers, notes, instructions),
    // sealed with the hub's data key; deleted when the kiosk purges them.
    r#"
    CREATE TABLE vault (
        facility text NOT NULL REFERENCES facilities (id),
        id       bigint NOT NULL,
        sealed   bytea NOT NULL,
        PRIMARY KEY (facility, id)
    );
    "#,
    // 3: document pages, sealed with the data key; found by the entry that
    // names them, and deleted when the kiosk purges them.
    r#"
    CREATE TABLE pages (
        facility    text NOT NULL REFERENCES facilities (id),
        id          text NOT NULL,
        encounter   text NOT NULL,
        seq         bigint NOT NULL,
        media       text NOT NULL,
        bytes       bigint NOT NULL,
        sha256      text NOT NULL,
        sealed      bytea NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (facility, id)
    );
    CREATE INDEX entries_page ON entries (facility, ((body::jsonb) -> 'page' ->> 'page'))
        WHERE kind = 'encounter.page-captured';
    "#,
    // 4: commands to kiosks (counsel's acknowledgements and instructions),
    // signed by the hub; an instruction's text is sealed with the data key.
    r#"
    CREATE TABLE commands (
        id           bigserial PRIMARY KEY,
        facility     text NOT NULL REFERENCES facilities (id),
        encounter    text NOT NULL,
        action       text NOT NULL,
        sealed       bytea,
        by_account   text NOT NULL,
        role         text,
        issued_at    text NOT NULL,
        signature    text NOT NULL,
        delivered_at timestamptz,
        outcome      text,
        applied_at   timestamptz
    );
    CREATE INDEX commands_facility ON commands (facility, id);
    "#,
    // 5: the city's web: its accounts (scoped to all or some facilities),
    // their sessions (only a token's SHA-256 is kept), the journal of what
    // each account viewed and did, and the encounters' projection the
    // dashboard, the log and the statistics read (derived from the
    // entries, never personal data; see `hub::project`).
    r#"
    CREATE TABLE users (
        name        text PRIMARY KEY,
        role        text NOT NULL CHECK (role IN ('counsel', 'manager', 'city')),
        facilities  text[],
        hash        text NOT NULL,
        disabled    boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE sessions (
        id_hash     bytea PRIMARY KEY,
        username    text NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        csrf        text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        seen_at     timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL
    );
    CREATE TABLE audit (
        id          bigserial PRIMARY KEY,
        at          timestamptz NOT NULL DEFAULT now(),
        username    text NOT NULL,
        role        text NOT NULL,
        action      text NOT NULL,
        facility    text,
        encounter   text,
        detail      text
    );
    CREATE INDEX entries_subject ON entries (facility, subject)
        WHERE kind <> 'checkin.recorded';
    CREATE INDEX entries_purges ON entries (facility, seq)
        WHERE kind = 'retention.purged';
    CREATE INDEX entries_holds ON entries (facility, kind)
        WHERE kind IN ('retention.hold-placed', 'retention.hold-released');
    CREATE TABLE encounters (
        facility       text NOT NULL REFERENCES facilities (id),
        id             text NOT NULL,
        opened_at      timestamptz NOT NULL,
        drill          boolean NOT NULL,
        entrance       text NOT NULL,
        document       text,
        outcome        text,
        closed_at      timestamptz,
        first_ack_at   timestamptz,
        counsel_ack_at timestamptz,
        paged          text[] NOT NULL DEFAULT '{}',
        acked_roles    text[] NOT NULL DEFAULT '{}',
        tiers          integer NOT NULL DEFAULT 0,
        pages          integer NOT NULL DEFAULT 0,
        PRIMARY KEY (facility, id)
    );
    CREATE INDEX encounters_open ON encounters (opened_at) WHERE closed_at IS NULL;
    CREATE INDEX encounters_opened ON encounters (opened_at);
    CREATE TABLE settings (
        key   text PRIMARY KEY,
        value text NOT NULL
    );
    CREATE TABLE visit_months (
        facility text NOT NULL REFERENCES facilities (id),
        month    text NOT NULL,
        purpose  text NOT NULL,
        n        bigint NOT NULL,
        PRIMARY KEY (month, facility, purpose)
    );
    "#,
    // 6: the hub's own retention: encounters whose personal values and
    // pages the hub deleted itself (past the facility's retention period,
    // no purge having come from its kiosk; see `hub::retention`).
    r#"
    CREATE TABLE hub_purges (
        facility        text NOT NULL REFERENCES facilities (id),
        encounter       text NOT NULL,
        purged_at       timestamptz NOT NULL DEFAULT now(),
        encounter_years integer NOT NULL,
        closed_at       timestamptz NOT NULL,
        PRIMARY KEY (facility, encounter)
    );
    "#,
    // 7: entries without a foreign key to facilities. Every entry is
    // stored by `hub::ingest` in the transaction that first locks its
    // facility's row (an enrolled facility, never deleted), so the key
    // checked nothing that lock does not; its trigger, one per row, was
    // most of the difference between the hub's ingest and a bare INSERT
    // (see BENCHMARKS.md).
    r#"
    ALTER TABLE entries DROP CONSTRAINT entries_facility_fkey;
    "#,
];

/// The migration that makes the encounters' projection (filled from the
/// entries already stored).
const ENCOUNTERS_MADE: usize = 5;

/// Why the database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database is unreachable or refused the connection: {0}")]
    Unreachable(String),
    #[error("database: {0}")]
    Query(#[from] tokio_postgres::Error),
    #[error("this database was written by a newer Threshold hub (schema {found}; this build understands up to {supported}); upgrade the hub")]
    TooNew { found: i64, supported: i64 },
    #[error("{0}")]
    Refused(String),
}

impl From<deadpool_postgres::PoolError> for DbError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        let mut said = with_causes(&e);
        if said.contains("invalid peer certificate") {
            said.push_str(" (the database server's certificate is not signed by an authority the hub trusts: put the city's CA certificate in [database] ca_file)");
        } else if said.contains("no encryption") {
            said.push_str(" (the database server takes only TLS: add sslmode=require to [database] url, or set [database] ca_file)");
        }
        DbError::Unreachable(said)
    }
}

/// An error and its causes, each once: the server's own words ("pg_hba.conf
/// rejects connection … no encryption") or the TLS reason ("invalid peer
/// certificate: UnknownIssuer") sit below "db error".
pub fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut said = Vec::<String>::new();
    let mut next = Some(e);
    while let Some(c) = next {
        let t = c.to_string();
        if !said.iter().any(|s| s.contains(&t)) {
            said.push(t);
        }
        next = c.source();
    }
    said.retain(|s| s != "db error" && !s.ends_with(": db error"));
    said.join(": ")
}

/// How the hub reaches its database.
#[derive(Debug, Clone)]
pub enum Tls {
    /// TLS when the URL says `sslmode=require` (the server's certificate
    /// checked against the system's roots); none otherwise.
    AsUrlSays,
    /// TLS always, the server's certificate checked against the PEM
    /// certificates in the file (or the system's roots).
    Verify(Option<std::path::PathBuf>),
}

/// The rustls client for the database: the server's certificate must be
/// signed by an authority in `ca_file` (only those), else by one the
/// system trusts, and name the host connected to.
fn tls_connector(
    ca_file: Option<&std::path::Path>,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, DbError> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let what =
                |e: String| DbError::Refused(format!("[database] ca_file {}: {e}", path.display()));
            let pem = std::fs::read(path).map_err(|e| what(e.to_string()))?;
            use rustls_pki_types::pem::PemObject;
            let certs = rustls_pki_types::CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| what(format!("not PEM certificates: {e}")))?;
            if certs.is_empty() {
                return Err(what("no CERTIFICATE in it".into()));
            }
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| what(format!("a certificate is not usable: {e}")))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DbError::Refused(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// How to open one connection to the hub's database: the parsed
/// connection string, and the TLS client when the connection is TLS.
#[derive(Clone)]
pub struct Connect {
    pub config: tokio_postgres::Config,
    pub tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
}

impl Connect {
    /// `url` (a URL or key=value string), with `password` when given
    /// apart, over TLS as `tls` says.
    pub fn new(url: &str, password: Option<&str>, tls: &Tls) -> Result<Connect, DbError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
            DbError::Refused(format!(
                "[database] url is not a PostgreSQL connection string: {e}"
            ))
        })?;
        if let Some(p) = password {
            config.password(p);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        config.application_name("threshold-hub");
        let ca_file = match tls {
            Tls::Verify(ca) => {
                config.ssl_mode(tokio_postgres::config::SslMode::Require);
                Some(ca.as_deref())
            }
            Tls::AsUrlSays => {
                (config.get_ssl_mode() == tokio_postgres::config::SslMode::Require).then_some(None)
            }
        };
        let tls = match ca_file {
            Some(ca) => Some(tls_connector(ca)?),
            // sslmode=prefer (the default) is taken as no TLS: a connection
            // that would quietly fall back to plain text is not offered.
            None => {
                config.ssl_mode(tokio_postgres::config::SslMode::Disable);
                None
            }
        };
        Ok(Connect { config, tls })
    }

    /// A pool of up to `size` connections.
    pub fn pool(&self, size: usize) -> Result<Pool, DbError> {
        let manager = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let config = self.config.clone();
        let manager = match &self.tls {
            Some(tls) => Manager::from_config(config, tls.clone(), manager),
            None => Manager::from_config(config, NoTls, manager),
        };
        Pool::builder(manager)
            .max_size(size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(5)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| DbError::Refused(e.to_string()))
    }
}

/// A pool of up to `size` connections to `url` (a URL or key=value
/// string), with `password` when given apart, over TLS as `tls` says.
pub fn pool(url: &str, password: Option<&str>, size: usize, tls: &Tls) -> Result<Pool, DbError> {
    Connect::new(url, password, tls)?.pool(size)
}

/// Bring the schema up to date, one hub process at a time.
pub async fn migrate(pool: &Pool) -> Result<i64, DbError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // Held to the end of the transaction: two hubs starting together
    // migrate one after the other.
    tx.execute("SELECT pg_advisory_xact_lock(1414025811)", &[])
        .await?;
    tx.batch_execute("SET LOCAL client_min_messages = warning; CREATE TABLE IF NOT EXISTS hub_schema (version bigint NOT NULL)")
        .await?;
    let found: Option<i64> = tx
        .query_opt("SELECT version FROM hub_schema", &[])
        .await?
        .map(|r| r.get(0));
    let latest = MIGRATIONS.len() as i64;
    let found = match found {
        Some(v) => v,
        None => {
            tx.execute("INSERT INTO hub_schema (version) VALUES (0)", &[])
                .await?;
            0
        }
    };
    if found > latest {
        return Err(DbError::TooNew {
            found,
            supported: latest,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).await?;
        if i + 1 == ENCOUNTERS_MADE {
            let n = super::project::rebuild(&tx).await?;
            tracing::info!("the city's web: {n} encounters projected from the stored entries");
        }
        tx.execute("UPDATE hub_schema SET version = $1", &[&(i as i64 + 1)])
            .await?;
    }
    tx.commit().await?;
    Ok(latest)
}

/// A facility id as the kiosk's config allows it.
pub fn facility_id(id: &str) -> Result<(), String> {
    if crate::domain::policy::is_token(id) {
        Ok(())
    } else {
        Err(format!("`{id}` is not a facility id: lower-case letters, digits and hyphens, as in the kiosk's [facility] id"))
    }
}

/// A public key from its hex form.
pub fn public_key(hex: &str) -> Result<[u8; 32], String> {
    let key = crate::domain::shipping::hash_from_hex(hex.trim())
        .ok_or("the key is not 64 hex digits; copy it from `threshold log key` on the kiosk")?;
    ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| {
        "the key is not an Ed25519 public key; copy it from `threshold log key` on the kiosk"
    })?;
    Ok(key)
}

/// What enrolling did.
#[derive(Debug, PartialEq, Eq)]
pub enum Enrolment {
    New,
    Same,
}

/// Enrol `id` with `key`. Enrolling again with the same key changes
/// nothing; another key for an enrolled facility is refused (a kiosk whose
/// key changed is a matter for the city, not for a command run in passing).
pub async fn enroll(pool: &Pool, id: &str, key: &[u8; 32]) -> Result<Enrolment, DbError> {
    facility_id(id).map_err(DbError::Refused)?;
    let client = pool.get().await?;
    let inserted = client
        .execute(
            "INSERT INTO facilities (id, public_key) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            &[&id, &&key[..]],
        )
        .await?;
    if inserted == 1 {
        return Ok(Enrolment::New);
    }
    let row = client
        .query_one("SELECT public_key FROM facilities WHERE id = $1", &[&id])
        .await?;
    let stored: Vec<u8> = row.get(0);
    if stored == key {
        Ok(Enrolment::Same)
    } else {
        Err(DbError::Refused(format!(
            "facility `{id}` is enrolled with another key (fingerprint {}); its record stays tied to that key",
            crate::app::records::fingerprint(&stored.try_into().unwrap_or([0; 32]))
        )))
    }
}

/// One facility as the hub knows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Facility {
    pub id: String,
    pub fingerprint: String,
    pub head_seq: i64,
    pub head_hash: String,
    pub last_batch_at: Option<String>,
    pub last_heartbeat_at: Option<String>,
    pub forks: i64,
}

/// Every enrolled facility.
pub async fn facilities(pool: &Pool) -> Result<Vec<Facility>, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT f.id, f.public_key, f.head_seq, f.head_hash,
                    to_char(f.last_batch_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    to_char(h.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    (SELECT count(*) FROM forks k WHERE k.facility = f.id)
             FROM facilities f LEFT JOIN heartbeats h ON h.facility = f.id ORDER BY f.id",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let key: Vec<u8> = r.get(1);
            let hash: Vec<u8> = r.get(3);
            Facility {
                id: r.get(0),
                fingerprint: crate::app::records::fingerprint(&key.try_into().unwrap_or([0; 32])),
                head_seq: r.get(2),
                head_hash: hex::encode(hash),
                last_batch_at: r.get(4),
                last_heartbeat_at: r.get(5),
                forks: r.get(6),
            }
        })
        .collect())
}
