//! The deployment test: the `threshold` binary runs `run --headless` on
//! `deploy/threshold.example.toml` itself (only addresses, ports, device
//! paths and secret paths patched, see `common/deployment.rs`), and one
//! encounter recorded by `threshold checkin official` is delivered by
//! every channel the example configures: e-mail to a real SMTP server that
//! requires AUTH over STARTTLS, a signed webhook, a text message by the
//! modem and, with the modem unplugged, by the HTTP gateway. The same
//! service answers `/healthz` and the acknowledge link, and stops on
//! SIGTERM. Then each fault, one at a time, with the service up.
#![cfg(feature = "simulate")]

mod common;

use common::deployment::*;
use std::time::Duration;
use threshold::alerts::webhook::signature;

const SOON: Duration = Duration::from_secs(15);

fn start(world: &World) -> Service {
    let service = world.run(None);
    let up = wait(SOON, || {
        http(world.admin_port, "GET", "/healthz").filter(|(s, _)| *s == 200)
    });
    assert!(
        up.is_some(),
        "the service never answered /healthz: {:?}",
        service.log()
    );
    service
}

/// Every line of `devices list` (the running service's health board).
fn devices_list(world: &World) -> String {
    let out = world.cli(&["devices", "list"]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_shipped_configuration_runs_and_pages_by_every_channel() {
    let mut world = World::new(Fault::None);
    let service = start(&world);
    assert!(
        !service.log().iter().any(|l| l.contains("panicked")),
        "{:?}",
        service.log()
    );
    let id = world.official_checkin();

    // The desk's team channel: a Slack-style webhook, signed.
    let hook = world
        .hooks
        .wait_for("/threshold/front-desk", SOON)
        .unwrap_or_else(|| panic!("no webhook page: {:?}", service.log()));
    assert_eq!(
        hook.header("x-threshold-signature"),
        Some(signature(WEBHOOK_SECRET.as_bytes(), &hook.body).as_str()),
        "signed with the secret from webhook.secret"
    );
    let json: serde_json::Value = serde_json::from_slice(&hook.body).unwrap();
    let text = json["text"].as_str().unwrap().to_string();
    assert!(text.contains(&id), "{text}");
    assert!(hook.header("x-threshold-key").unwrap().starts_with(&id));

    // Counsel on call: a text message through the modem, in Spanish.
    let modem = world.modem.as_ref().unwrap();
    let sms = wait(SOON, || {
        modem
            .messages()
            .into_iter()
            .find(|m| m.to == "+14085550151")
    })
    .unwrap_or_else(|| panic!("no text message by the modem: {:?}", service.log()));
    assert!(sms.text.contains(&id), "{}", sms.text);
    assert!(sms.text.starts_with("Funcionarios"), "{}", sms.text);

    // The City Attorney's office: e-mail, AUTH over STARTTLS.
    let smtp = world.smtp.as_ref().unwrap();
    let mail = wait(SOON, || {
        smtp.messages()
            .into_iter()
            .find(|m| m.starts_with("X-Rcpt-To: city-attorney@example.org"))
    })
    .unwrap_or_else(|| panic!("no e-mail: {:?}", service.log()));
    assert!(
        mail.contains(&format!("X-Authenticated-As: {SMTP_USER}")),
        "{mail}"
    );
    assert!(mail.contains("X-TLS: yes"), "{mail}");
    assert!(mail.contains(&id), "{mail}");

    // The acknowledge link in the page works on the same service.
    let ack = ack_path(&text).expect("the page carries an acknowledge link");
    let (status, page) = http(world.admin_port, "GET", &ack).unwrap();
    assert_eq!(status, 200, "{page}");
    let (status, page) = http(world.admin_port, "POST", &ack).unwrap();
    assert_eq!(status, 200, "{page}");
    let shown = world.cli(&["--json", "encounter", "show", &id]);
    let rec: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let acks = rec["acknowledgements"].as_array().unwrap();
    assert_eq!(acks.len(), 1, "{rec}");
    // The desk's page went to a team channel: whoever there pressed the
    // link acknowledged, without the lead's role.
    assert_eq!(acks[0]["by"], "someone in Front desk lead's channel");

    // The record tells staff what the document is and what to do, in the
    // shipped profile's words, and the shipped number to call.
    let shown = common::stdout(&world.cli(&["encounter", "show", &id]));
    assert!(
        shown.contains("What to do: Not a judicial warrant: an I-200 or I-205 is signed by an immigration officer. Do not consent to entry into non-public areas"),
        "{shown}"
    );
    // A Vietnamese-speaking manager reads the same record, who was paged
    // and the shipped profile's guidance in Vietnamese.
    let shown = common::stdout(&world.cli_in("vi_VN.UTF-8", &["encounter", "show", &id]));
    for expected in [
        "Việc cần làm: Không phải lệnh của tòa án",
        "Đã báo cho ai: Deputy City Attorney on call (luật sư thành phố), SMS",
        "Dòng thời gian: ai làm gì, khi nào",
    ] {
        assert!(shown.contains(expected), "lacks {expected:?}:\n{shown}");
    }
    // The box can speak every facility language of the shipped config;
    // Tagalog by the stand-in voice until the city records clips.
    let devices = devices_list(&world);
    let speech = devices
        .lines()
        .find(|l| l.contains("speech"))
        .unwrap_or_else(|| panic!("no speech on the board: {devices}"));
    for voice in [
        "en: en-us",
        "es: es-419",
        "vi: vi",
        "tl: 0 clips, else the id voice",
    ] {
        assert!(speech.contains(voice), "lacks {voice:?}: {speech}");
    }
    let checked = world.cli(&["config", "check"]);
    assert!(checked.status.success(), "{}", common::stderr(&checked));
    assert!(
        !common::stderr(&checked).contains("call_when_unanswered"),
        "the shipped number is taken: {}",
        common::stderr(&checked)
    );

    // The door sign says officials are on site, whole, in every kiosk
    // language of the shipped config (the shipped profile announces them).
    let loaded = threshold::config::Loaded::from_file(&world.config).unwrap();
    let on_site = threshold::render::sign::SignContent {
        officials_on_site: true,
        titles: loaded.notice_titles(),
    };
    assert!(loaded.profile.sign.announces_officials);
    assert_eq!(on_site.titles.len(), 5);
    let want = threshold::render::sign::render(&on_site, 400, 300);
    let shown = wait(SOON, || {
        world
            .sign
            .state
            .lock()
            .unwrap()
            .shown
            .clone()
            .filter(|b| *b == want)
    });
    assert!(
        shown.is_some(),
        "the sign does not show officials on site: {:?}",
        service.log()
    );

    // Staff photograph an officer's badge: a page of the encounter with
    // its kind, beside the document's pages on counsel's page.
    let badge = world.dir.path().join("badge.png");
    std::fs::write(&badge, threshold::app::kiosk::demo_page(7)).unwrap();
    let added = world.cli(&[
        "encounter",
        "page",
        &id,
        "--page",
        badge.to_str().unwrap(),
        "--kind",
        "badge",
        "--by",
        "Dana Whitfield",
    ]);
    assert!(added.status.success(), "{}", common::stderr(&added));

    // Counsel signs in on the running service and instructs the desk: the
    // record has it under counsel's account, and counsel's acknowledgement.
    counsel_acts_from_the_web(&world, &id);

    // The record went to the city hub over TLS (the city's own CA), each
    // entry as stored, anchored by the hub's receipts; no visitor's name or
    // host reached the hub.
    world.hub_holds_the_record(&service);
    // The document's page and the badge went up after their entries;
    // counsel instructs the desk from the hub.
    world.counsel_acts_from_the_hub(&id);
    // Counsel sees the encounter on the city's web; the city's staff see
    // the facility's health, not the encounter.
    common::city::counsel_sees_the_city(
        &world.hub_config,
        &world.dir.path().join("ca.pem"),
        common::deployment::FACILITY,
        &id,
    );

    // The devices are connected; nothing is broken.
    let list = devices_list(&world);
    for part in [
        "printer",
        "scanner",
        "sign",
        "panic",
        "modem",
        "webhook",
        "email",
        "admin-web",
        "hub",
    ] {
        assert!(
            list.lines()
                .any(|l| l.starts_with(part) && l.contains("working") && !l.contains("NOT")),
            "{part} not working:\n{list}"
        );
    }

    // The modem unplugged: the next encounter's text goes by the gateway.
    drop(world.modem.take());
    let second = world.official_checkin();
    let by_gateway = wait(SOON, || {
        world
            .gateway
            .received()
            .into_iter()
            .find(|r| r.path.contains("to=%2B14085550151") && r.path.contains(&second))
    })
    .unwrap_or_else(|| {
        let shown = world.cli(&["--json", "encounter", "show", &second]);
        panic!(
            "no text message by the gateway: {:?}\n{}",
            service.log(),
            common::stdout(&shown)
        )
    });
    let basic = base64_basic(GATEWAY_USER, GATEWAY_PASSWORD);
    assert_eq!(by_gateway.header("authorization"), Some(basic.as_str()));
    let list = devices_list(&world);
    assert!(
        list.lines()
            .any(|l| l.starts_with("modem") && l.contains("NOT WORKING")),
        "the unplugged modem is named:\n{list}"
    );
    assert!(list.contains("what to do:"), "{list}");

    assert_eq!(
        http(world.admin_port, "GET", "/healthz").map(|r| r.0),
        Some(200)
    );
    let (took, status, log) = service.terminate();
    assert!(status.success(), "{status:?}: {log:?}");
    assert!(took < Duration::from_secs(5), "stopped after {took:?}");
    assert!(!log.iter().any(|l| l.contains("panicked")), "{log:?}");
    // Nothing about the check-ins and their pages was lost.
    let verify = world.cli(&["log", "verify"]);
    assert!(verify.status.success(), "{}", common::stdout(&verify));
}

/// Counsel (`rosa`) signs in to the admin web, acknowledges `id` and sends
/// the desk an instruction; `encounter show` has both under her account.
fn counsel_acts_from_the_web(world: &World, id: &str) {
    add_owner(world);
    let port = world.admin_port;
    let form = login_form(port);
    let r = sign_in(
        port,
        &form,
        "198.51.100.7",
        "rosa",
        OWNER_PASSWORD,
        "/",
        None,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let session = r.cookie("th_session").expect("a session");
    let get = |path: &str| {
        exchange(
            port,
            &format!("GET {path} HTTP/1.1\r\nhost: t\r\nconnection: close\r\nx-forwarded-for: 198.51.100.7\r\ncookie: {session}\r\n\r\n"),
        )
        .unwrap()
    };
    let page = get(&format!("/encounters/{id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<strong>Badge or card</strong> · photographed by Dana Whitfield"),
        "the staff photo is on counsel's page"
    );
    let at = page.body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &page.body[at..at + page.body[at..].find('"').unwrap()];
    for (what, form) in [
        ("acknowledge", format!("csrf={csrf}")),
        (
            "instruction",
            format!("csrf={csrf}&text=Do+not+consent%3B+they+may+wait+in+the+rotunda."),
        ),
        ("hold", format!("csrf={csrf}&text=Doe+v.+City")),
    ] {
        let r = exchange(
            port,
            &format!(
                "POST /encounters/{id}/{what} HTTP/1.1\r\nhost: t\r\nconnection: close\r\nx-forwarded-for: 198.51.100.7\r\ncookie: {session}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{form}",
                form.len()
            ),
        )
        .unwrap();
        assert_eq!(r.status, 303, "{what}: {}", r.body);
    }
    // Read in Vietnamese, the running service's record is Vietnamese: the
    // timeline is worded when read, in the reader's language, and the
    // report is the archival, tagged PDF in that language.
    let vi = get(&format!("/encounters/{id}?lang=vi"));
    assert_eq!(vi.status, 200, "{}", vi.body);
    for line in [
        "rosa (luật sư thành phố) đã xác nhận, từ trang quản trị.",
        "rosa đã ghi chỉ dẫn của luật sư thành phố.",
        "Dana Whitfield đã chụp trang",
    ] {
        assert!(vi.body.contains(line), "{line} not in:\n{}", vi.body);
    }
    let pdf = get(&format!("/encounters/{id}/report.pdf?lang=vi"));
    assert_eq!(pdf.status, 200);
    for part in [
        "/S /GTS_PDFA1",
        "/StructTreeRoot",
        "/Lang (vi)",
        "<pdfaid:part>2",
    ] {
        assert!(pdf.body.contains(part), "the served report lacks {part}");
    }
    // The report counsel files, from the running service's record: each
    // page sent with its channel and delivery, and the acknowledgement.
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("report.pdf");
    let made = world.cli(&["encounter", "report", id, "--out", file.to_str().unwrap()]);
    assert!(made.status.success(), "{}", common::stderr(&made));
    if let Some(text) = common::pdf_text(&file) {
        assert!(text.contains("Who was paged"), "{text}");
        assert!(
            text.contains("Deputy City Attorney on call (city counsel)"),
            "{text}"
        );
        let channels = ["· e-mail ·", "· SMS ·", "· webhook ·"]
            .iter()
            .filter(|c| text.contains(*c))
            .count();
        assert!(channels >= 2, "pages by two channels or more: {text}");
        assert!(text.contains("rosa · "), "{text}");
        assert!(text.contains("city counsel, the admin web"), "{text}");
    }
    // Counsel's legal hold is in force on the running service's record.
    let holds = common::stdout(&world.cli(&["hold", "list"]));
    assert!(
        holds.contains(id) && holds.contains("Doe v. City"),
        "{holds}"
    );
    let shown = world.cli(&["--json", "encounter", "show", id]);
    let rec: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let said = rec["counsel_instructions"].as_array().unwrap();
    assert!(
        said.iter()
            .any(|a| a["by"] == "rosa"
                && a["text"] == "Do not consent; they may wait in the rotunda."),
        "{rec}"
    );
    assert!(
        rec["acknowledgements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["by"] == "rosa" && a["role"] == "counsel" && a["via"] == "web"),
        "{rec}"
    );
}

fn base64_basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// Under a fault, with the kiosk window open on a real X display: the
/// window draws the kiosk, the service is up, a check-in succeeds, the
/// healthy channels deliver, and `devices list` names the broken part with
/// what to do; the log says it once. Then SIGTERM ends it within 5 s.
struct Faulty {
    world: World,
    service: Option<Service>,
    id: String,
    _display: Option<common::xvfb::Xvfb>,
}

impl Faulty {
    fn service(&self) -> &Service {
        self.service.as_ref().unwrap()
    }
}

impl Drop for Faulty {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let (took, status, log) = self.service.take().unwrap().terminate();
        assert!(status.success(), "{status:?}: {log:?}");
        assert!(took < Duration::from_secs(5), "stopped after {took:?}");
    }
}

fn fault_test(fault: Fault, broken: &str, says: &str) -> Faulty {
    let world = World::new(fault);
    let display = common::xvfb::Xvfb::start();
    let service = world.run(display.as_ref().map(|d| d.display.as_str()));
    if fault == Fault::PortTaken {
        assert!(
            service.wait_log("threshold: data in", SOON),
            "{:?}",
            service.log()
        );
    } else {
        let up = wait(SOON, || {
            http(world.admin_port, "GET", "/healthz").filter(|(s, _)| *s == 200)
        });
        assert!(up.is_some(), "no /healthz: {:?}", service.log());
    }
    if let Some(x) = &display {
        let shot = x.wait_for_kiosk(SOON).unwrap_or_else(|| {
            panic!(
                "{fault:?}: the kiosk window drew nothing: {:?}",
                service.log()
            )
        });
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("deployment");
        std::fs::create_dir_all(&dir).unwrap();
        shot.save(dir.join(format!("{fault:?}.png"))).unwrap();
    }
    let id = world.official_checkin();
    if fault != Fault::MissingWebhookSecret {
        assert!(
            world
                .hooks
                .wait_for("/threshold/front-desk", SOON)
                .is_some(),
            "{fault:?}: the webhook still delivers: {:?}",
            service.log()
        );
    }
    if !matches!(fault, Fault::DeadRelay | Fault::BlackholeRelay) {
        let smtp = world.smtp.as_ref().unwrap();
        assert!(
            wait(SOON, || smtp
                .messages()
                .into_iter()
                .find(|m| m.contains(&id)))
            .is_some(),
            "{fault:?}: e-mail still delivers: {:?}",
            service.log()
        );
    }
    // Text messages: by the modem, or by the gateway when the modem is the fault.
    let texted = wait(SOON, || {
        let by_modem = world
            .modem
            .as_ref()
            .is_some_and(|m| m.messages().iter().any(|s| s.text.contains(&id)));
        let by_gateway = world
            .gateway
            .received()
            .iter()
            .any(|r| r.path.contains(&id));
        (by_modem || by_gateway).then_some(())
    });
    assert!(
        texted.is_some(),
        "{fault:?}: no text message: {:?}",
        service.log()
    );
    // A channel is named broken after its first failed attempt, which on a
    // loaded machine (the other deployment tests run beside this one) can
    // come well after the first text message.
    let list = wait(Duration::from_secs(60), || {
        let list = devices_list(&world);
        list.lines()
            .any(|l| l.starts_with(broken) && l.contains("NOT WORKING") && l.contains(says))
            .then_some(list)
    })
    .unwrap_or_else(|| {
        panic!(
            "{fault:?}: `{broken}` is not named broken with `{says}`:\n{}",
            devices_list(&world)
        )
    });
    assert!(list.contains("what to do:"), "{list}");
    Faulty {
        world,
        service: Some(service),
        id,
        _display: display,
    }
}

/// The log names a broken part once, not on every retry.
fn said_once(service: &Service, part: &str) {
    std::thread::sleep(Duration::from_secs(3));
    let lines: Vec<String> = service
        .log()
        .into_iter()
        .filter(|l| l.contains("not working") && l.contains(&format!("part={part}")))
        .collect();
    assert_eq!(lines.len(), 1, "said once: {lines:#?}");
}

#[test]
fn a_missing_webhook_secret_breaks_only_the_webhook() {
    let f = fault_test(Fault::MissingWebhookSecret, "webhook", "secret_file");
    said_once(f.service(), "webhook");
}

#[test]
fn a_taken_admin_port_leaves_the_kiosk_and_alerts_running() {
    let mut f = fault_test(Fault::PortTaken, "admin-web", "cannot listen");
    said_once(f.service(), "admin-web");
    // The web comes up by itself once the other program lets go.
    drop(f.world.squatter.take());
    let up = wait(Duration::from_secs(20), || {
        http(f.world.admin_port, "GET", "/healthz").filter(|(s, _)| *s == 200)
    });
    assert!(up.is_some(), "{:?}", f.service().log());
}

#[test]
fn a_silent_modem_hands_text_messages_to_the_gateway() {
    let f = fault_test(Fault::SilentModem, "modem", "did not answer");
    assert!(f
        .world
        .gateway
        .received()
        .iter()
        .any(|r| r.path.contains(&f.id)));
    said_once(f.service(), "modem");
}

#[test]
fn a_dead_smtp_relay_breaks_only_e_mail() {
    let f = fault_test(Fault::DeadRelay, "email", "SMTP server");
    said_once(f.service(), "email");
}

#[test]
fn a_dead_hub_leaves_the_kiosk_and_its_pages_running() {
    let f = fault_test(Fault::HubDown, "hub", "cannot reach the hub");
    said_once(f.service(), "hub");
    // Nothing is lost: the record waits on the box for the hub.
    let verify = f.world.cli(&["log", "verify"]);
    assert!(verify.status.success(), "{}", common::stdout(&verify));
}
