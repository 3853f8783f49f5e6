//! Held polls wake when any hub process issues a command. A command's
//! transaction ends with `pg_notify` on [`CHANNEL`]; each hub process keeps
//! one connection of its own listening there, and wakes its held polls on
//! each notification, so behind a load balancer a command issued by one
//! process reaches a kiosk whose poll another process holds in
//! milliseconds. The polls' own look at the database every
//! [`super::commands::LOOK_EVERY`] stays, for a listener that is down (the
//! database restarting): nothing waits on this alone.

use super::store::Connect;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{watch, Notify};
use tokio_postgres::{AsyncMessage, Client, Connection};

/// The channel commands are announced on (the payload: the facility).
pub const CHANNEL: &str = "threshold_commands";

/// How long to wait before listening again after the connection broke.
const AGAIN: Duration = Duration::from_secs(5);

/// Listen on [`CHANNEL`] and wake `issued`'s waiters on each notification,
/// reconnecting after [`AGAIN`] when the connection breaks, until `stop`.
pub async fn on_commands(db: Connect, issued: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    let mut said = false;
    loop {
        let done = match &db.tls {
            Some(tls) => match db.config.connect(tls.clone()).await {
                Ok(c) => listen(c, &issued, &mut stop, &mut said).await,
                Err(e) => Err(super::store::with_causes(&e)),
            },
            None => match db.config.connect(tokio_postgres::NoTls).await {
                Ok(c) => listen(c, &issued, &mut stop, &mut said).await,
                Err(e) => Err(super::store::with_causes(&e)),
            },
        };
        match done {
            Ok(()) => return,
            Err(e) if !said => {
                tracing::warn!("not listening for commands other hub processes issue ({e}); held polls find them by looking every {} ms meanwhile; listening again in {} s", super::commands::LOOK_EVERY.as_millis(), AGAIN.as_secs());
                said = true;
            }
            Err(_) => {}
        }
        // Whatever was announced while nobody listened is looked for now.
        issued.notify_waiters();
        tokio::select! {
            () = tokio::time::sleep(AGAIN) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Drive one connection: LISTEN, then wake on each notification until
/// `stop` (`Ok`) or the connection breaks (`Err`, why).
async fn listen<S, T>(
    (client, mut conn): (Client, Connection<S, T>),
    issued: &Notify,
    stop: &mut watch::Receiver<bool>,
    said: &mut bool,
) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    let drive = async {
        loop {
            match std::future::poll_fn(|cx| conn.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(_))) => issued.notify_waiters(),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(super::store::with_causes(&e)),
                None => return Err("the database closed the connection".to_string()),
            }
        }
    };
    let listening = async {
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .await
            .map_err(|e| super::store::with_causes(&e))?;
        if std::mem::take(said) {
            tracing::info!("listening for commands other hub processes issue again");
        }
        let _ = stop.wait_for(|s| *s).await;
        Ok(())
    };
    tokio::select! {
        r = drive => r,
        r = listening => r,
    }
}
