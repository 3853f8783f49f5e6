//! An admin web over a seeded store, for the router and browser tests.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use threshold::admin::auth::hash_password;
use threshold::admin::{router, AppState};
use threshold::app::{Desk, PageImage, SystemClock};
use threshold::config::Loaded;
use threshold::devices::health::Health;
use threshold::domain::account::AccountRole;
use threshold::domain::checkin::VisitorCheckIn;
use threshold::domain::document::DocumentKind;
use threshold::domain::encounter::{DocumentDetails, EncounterDetails, Via};
use threshold::domain::language::Language;
use tower::ServiceExt;

/// Every test account's password.
pub const PASSWORD: &str = "a long test password";

/// The pages a manager or counsel reviews (the dashboard paused), and the
/// world's encounter: what the accessibility tests walk.
pub fn review_pages(w: &AdminWorld) -> Vec<String> {
    ["/?paused=1", "/log", "/alerts", "/retention", "/integrity"]
        .into_iter()
        .map(String::from)
        .chain([format!("/encounters/{}", w.encounter)])
        .collect()
}

/// A store with accounts (maria: manager, carl: counsel, sam: staff), three
/// visitors and one encounter with two pages, and the web's state over it.
pub struct AdminWorld {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub encounter: String,
    pub visitors: Vec<String>,
}

impl AdminWorld {
    pub fn new() -> AdminWorld {
        let dir = tempfile::tempdir().unwrap();
        let loaded = Loaded::demo();
        let desk = Desk::open(loaded.clone(), dir.path(), SystemClock).unwrap();
        let hash = hash_password(PASSWORD);
        for (name, role) in [
            ("maria", AccountRole::Manager),
            ("carl", AccountRole::Counsel),
            ("sam", AccountRole::Staff),
        ] {
            desk.add_account(name, role, &hash).unwrap();
        }
        // The last host is typed like a spreadsheet formula.
        let visitors = [("Xuan", "Ms. Ortiz"), ("Bo", "Ms. Ortiz"), ("Cy", "=cmd")]
            .iter()
            .map(|(name, host)| {
                desk.check_in_visitor(VisitorCheckIn {
                    purpose: "appointment".into(),
                    name: Some(name.to_string()),
                    host: Some(host.to_string()),
                    language: Language::Vietnamese,
                    entrance: "main".into(),
                })
                .unwrap()
            })
            .collect();
        let details = EncounterDetails {
            officers: vec![
                "Ana Ruiz;4471;ICE ERO".parse().unwrap(),
                "Trần Bảo;;DHS".parse().unwrap(),
            ],
            supervisor: None,
            purpose: Some("looking for a person".into()),
            sought: Some("a resident".into()),
            area: None,
            exigent: false,
            document_kind: DocumentKind::AdministrativeWarrant,
            document: DocumentDetails::default(),
        };
        let pages = [page(1), page(2)];
        let encounter = desk
            .check_in_official(None, Via::Kiosk, false, details, &pages)
            .unwrap();
        let state = AppState::new(desk, Health::default(), false).unwrap();
        AdminWorld {
            dir,
            state,
            encounter,
            visitors,
        }
    }

    pub fn app(&self) -> Router {
        router(self.state.clone())
    }

    /// Journal entries of `kind`, as (subject, body).
    pub fn entries(&self, kind: &str) -> Vec<(String, String)> {
        let conn = rusqlite::Connection::open(self.dir.path().join("threshold.db")).unwrap();
        let mut stmt = conn
            .prepare("SELECT subject, body FROM journal WHERE kind = ?1 ORDER BY seq")
            .unwrap();
        let rows = stmt
            .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        rows.map(Result::unwrap).collect()
    }
}

/// A page image: a 600×800 "document" with a dark band whose place depends on `seed`.
pub fn page(seed: u32) -> PageImage {
    let img = image::RgbImage::from_fn(600, 800, |x, y| {
        let band = (y / 40) % 5 == seed % 5 && x > 60 && x < 540;
        if band {
            image::Rgb([30, 30, 60])
        } else {
            image::Rgb([250, 250, 245])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    PageImage::from_bytes("page", out.into_inner()).unwrap()
}

/// A response's status, headers and body text.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The `name=value` of a Set-Cookie header for `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap().to_string())
    }
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

/// Send one request through the router.
pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

pub fn post(path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body)).unwrap()
}

/// The hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("the page has a form with a csrf field")
        + 19;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// Sign in as `name` with `password`; returns the reply to the POST and
/// the session cookie if one was set.
pub async fn sign_in(app: &Router, name: &str, password: &str) -> (Reply, Option<String>) {
    sign_in_with(app, name, password, None).await
}

/// [`sign_in`] from a browser that also sends `cookie` (e.g. `th_device=…`).
pub async fn sign_in_with(
    app: &Router,
    name: &str,
    password: &str,
    cookie: Option<&str>,
) -> (Reply, Option<String>) {
    let form = send(app, get("/login", None)).await;
    let mut pre = form
        .cookie("th_login")
        .expect("the sign-in form sets its cookie");
    if let Some(c) = cookie {
        pre = format!("{pre}; {c}");
    }
    let csrf = csrf_of(&form.text());
    let reply = send(
        app,
        post(
            "/login",
            Some(&pre),
            &[
                ("account", name),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/"),
            ],
        ),
    )
    .await;
    let session = reply.cookie("th_session");
    (reply, session)
}

/// Sign in and return the session cookie, or panic.
pub async fn session(app: &Router, name: &str) -> String {
    let (reply, cookie) = sign_in(app, name, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    cookie.expect("a session cookie")
}
