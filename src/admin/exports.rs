//! Exports at stable URLs for people and scripts (behind the same sign-in):
//! the log as CSV or JSON Lines, a signed bundle of journal entries, and an
//! encounter's PDF report. Each export is journaled with who and which
//! filters before a byte is sent; large exports stream.

use super::auth::Viewer;
use super::chrome::{no_store, WebError};
use super::encounter::{journal_view, must_exist};
use super::overview::{parse_filter, LogQuery};
use super::AppState;
use crate::app::records::{timestamp, BundleError, Format, Viewing};
use crate::app::{AppError, Desk};
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// Bytes per chunk sent to the client.
const CHUNK: usize = 64 * 1024;

/// A `Write` on a blocking thread feeding a streamed response body.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The receiving end as a body stream.
struct Chunks(mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// Stream what `produce` writes; a failure part-way aborts the response,
/// so a client never mistakes a cut-off export for a whole one.
fn stream<F>(state: &AppState, produce: F) -> Body
where
    F: FnOnce(&Desk, &mut ChannelWriter) -> Result<(), WebError> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(4);
    let state = state.clone();
    tokio::spawn(async move {
        let err_tx = tx.clone();
        let result = state
            .call(move |desk| {
                let mut w = ChannelWriter {
                    tx,
                    buf: Vec::with_capacity(CHUNK),
                };
                produce(desk, &mut w)?;
                w.flush()
                    .map_err(|e| WebError::App(AppError::Log(e.into())))
            })
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "an export failed part-way; the response was aborted");
            let _ = err_tx
                .send(Err(std::io::Error::other(
                    "the export failed; see the server log",
                )))
                .await;
        }
    });
    Body::from_stream(Chunks(rx))
}

fn attachment(content_type: &'static str, filename: String, body: Body) -> Response {
    (
        StatusCode::OK,
        no_store(),
        [
            (CONTENT_TYPE, content_type.to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A refusal for scripts and people alike: plain text naming what to fix.
fn bad_request(msg: String) -> Response {
    (StatusCode::BAD_REQUEST, no_store(), format!("{msg}\n")).into_response()
}

/// How the filters read in the journal and in file names.
fn describe(format: &str, q: &LogQuery) -> String {
    let mut parts = vec![format!("format={format}")];
    for (k, v) in [
        ("from", &q.from),
        ("to", &q.to),
        ("kind", &q.kind),
        ("purpose", &q.purpose),
    ] {
        if !v.trim().is_empty() {
            parts.push(format!("{k}={}", v.trim()));
        }
    }
    parts.join(" ")
}

fn file_name(state: &AppState, q: &LogQuery, ext: &str) -> String {
    let safe = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
    };
    let mut name = format!("threshold-{}", safe(&state.loaded.config.facility.id));
    for v in [&q.from, &q.to, &q.kind, &q.purpose] {
        if !v.trim().is_empty() {
            name.push('-');
            name.push_str(&safe(v.trim()));
        }
    }
    format!("{name}.{ext}")
}

async fn export_log(state: AppState, v: Viewer, q: LogQuery, format: Format) -> Response {
    let filter = match parse_filter(&state, &v.chrome, &q) {
        Ok(f) => f,
        Err(WebError::BadInput(msg)) => return bad_request(msg),
        Err(e) => return v.error(e),
    };
    let (token, ext, content_type) = match format {
        Format::Csv => ("csv", "csv", "text/csv; charset=utf-8"),
        Format::Jsonl => ("jsonl", "jsonl", "application/jsonl; charset=utf-8"),
    };
    if let Err(e) = journal_view(
        &state,
        &v,
        "log",
        Viewing::Export,
        None,
        Some(describe(token, &q)),
    )
    .await
    {
        return v.error(e);
    }
    let body = stream(&state, move |desk, w| {
        desk.export_log(&filter, format, w)?;
        Ok(())
    });
    attachment(content_type, file_name(&state, &q, ext), body)
}

/// GET /export.csv?from=YYYY-MM-DD&to=…&kind=visitor|encounter&purpose=…
pub async fn csv(State(state): State<AppState>, v: Viewer, Query(q): Query<LogQuery>) -> Response {
    export_log(state, v, q, Format::Csv).await
}

/// GET /export.jsonl with the same filters.
pub async fn jsonl(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<LogQuery>,
) -> Response {
    export_log(state, v, q, Format::Jsonl).await
}

/// GET /export.bundle?from=…&to=…: the journal entries of those days,
/// signed with the facility key (see `threshold log bundle`).
pub async fn bundle(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<LogQuery>,
) -> Response {
    let filter = match parse_filter(&state, &v.chrome, &q) {
        Ok(f) => f,
        Err(WebError::BadInput(msg)) => return bad_request(msg),
        Err(e) => return v.error(e),
    };
    let range = (filter.from.clone(), filter.to.clone());
    let r = range.clone();
    let found = state
        .call(move |desk| Ok(desk.bundle_range(r.0.as_deref(), r.1.as_deref())?))
        .await;
    match found {
        Ok(Some(_)) => {}
        Ok(None) => return bad_request(BundleError::Empty.to_string()),
        Err(e) => return v.error(e),
    }
    if let Err(e) = journal_view(
        &state,
        &v,
        "log",
        Viewing::Bundle,
        None,
        Some(describe("bundle", &q)),
    )
    .await
    {
        return v.error(e);
    }
    let key = state.key.clone();
    let created = timestamp(chrono::Utc::now());
    let body = stream(&state, move |desk, w| {
        desk.write_bundle(&key, &created, range.0.as_deref(), range.1.as_deref(), w)?;
        Ok(())
    });
    attachment(
        "application/jsonl",
        file_name(&state, &q, "bundle.jsonl"),
        body,
    )
}

/// GET /encounters/{id}/report.pdf: the report for counsel's file.
pub async fn report(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    if let Err(e) = must_exist(&state, &id).await {
        return v.error(e);
    }
    if let Err(e) = journal_view(&state, &v, &id, Viewing::Report, None, None).await {
        return v.error(e);
    }
    let (key, lang, who) = (state.key.clone(), v.chrome.lang, v.user.clone());
    let rid = id.clone();
    let pdf = state
        .call(move |desk| Ok(desk.report_pdf(&key, &rid, lang, &who)?))
        .await;
    match pdf {
        Ok(bytes) => (
            StatusCode::OK,
            no_store(),
            [
                (CONTENT_TYPE, "application/pdf".to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!("inline; filename=\"{id}.pdf\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => v.error(e),
    }
}
