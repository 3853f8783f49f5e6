//! Loopback HTTP for the tests that run the service as deployed: a
//! receiver that keeps what it got (a webhook, an SMS gateway), plain
//! requests to the service, and signing in to its admin web.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One HTTP request a receiver got.
#[derive(Debug, Clone)]
pub struct Request {
    pub at: Instant,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A loopback HTTP server answering 200 to everything and keeping what it
/// got (a webhook receiver, an SMS gateway). One thread per connection.
#[derive(Clone)]
pub struct Receiver {
    pub port: u16,
    got: Arc<Mutex<Vec<Request>>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got: Arc<Mutex<Vec<Request>>> = Arc::default();
        let keep = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let keep = keep.clone();
                std::thread::spawn(move || serve(stream, &keep));
            }
        });
        Receiver { port, got }
    }

    pub fn received(&self) -> Vec<Request> {
        self.got.lock().unwrap().clone()
    }

    /// Wait up to `within` for a request whose path starts with `prefix`.
    pub fn wait_for(&self, prefix: &str, within: Duration) -> Option<Request> {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if let Some(r) = self
                .received()
                .into_iter()
                .find(|r| r.path.starts_with(prefix))
            {
                return Some(r);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

fn serve(stream: TcpStream, keep: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let mut headers = Vec::new();
        let mut length = 0;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        keep.lock().unwrap().push(Request {
            at: Instant::now(),
            path,
            headers,
            body,
        });
        if stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            .is_err()
        {
            return;
        }
    }
}

/// A plain HTTP/1.1 request to the service; `(status, body)`.
pub fn http(port: u16, method: &str, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split_whitespace().nth(1)?.parse().ok()?;
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
    Some((status, body))
}

/// An HTTP/1.1 exchange on its own connection: status, headers, body.
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
    /// `name=value` of the Set-Cookie for `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            let v = v.trim();
            (k.eq_ignore_ascii_case("set-cookie") && v.starts_with(&format!("{name}=")))
                .then(|| v.split(';').next().unwrap().to_string())
        })
    }
}

pub fn exchange(port: u16, request: &str) -> Option<Reply> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    s.write_all(request.as_bytes()).ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let out = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = out.split_once("\r\n\r\n")?;
    Some(Reply {
        status: head.split_whitespace().nth(1)?.parse().ok()?,
        head: head.to_string(),
        body: body.to_string(),
    })
}

/// The sign-in form's cookie and CSRF token.
pub fn login_form(port: u16) -> (String, String) {
    let r = exchange(
        port,
        "GET /login HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n",
    )
    .unwrap();
    let cookie = r.cookie("th_login").expect("the form's cookie");
    let at = r.body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = r.body[at..at + r.body[at..].find('"').unwrap()].to_string();
    (cookie, csrf)
}

/// POST /login from the client `from` (the trusted proxy on loopback
/// names it in X-Forwarded-For, as the example config's proxy would).
pub fn sign_in(
    port: u16,
    form: &(String, String),
    from: &str,
    account: &str,
    password: &str,
    next: &str,
    device: Option<&str>,
) -> Reply {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("account", account)
        .append_pair("password", password)
        .append_pair("csrf", &form.1)
        .append_pair("next", next)
        .finish();
    let cookies = match device {
        Some(d) => format!("{}; {d}", form.0),
        None => form.0.clone(),
    };
    exchange(
        port,
        &format!(
            "POST /login HTTP/1.1\r\nhost: t\r\nconnection: close\r\nx-forwarded-for: {from}\r\ncookie: {cookies}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .expect("an answer")
}
