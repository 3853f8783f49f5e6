//! The fit check behind `threshold screenshot --check-fit` finds text that
//! overlaps: a layout deliberately squeezed below what its words need is
//! reported (the text that spills, and what it is drawn over), and the same
//! layout with room is not. The shipped screens are checked in every
//! language and size by tests/screens.rs.

use slint::ComponentHandle;
use threshold::ui::{fit, headless};

slint::slint! {
    import "assets/fonts/NotoSans-Regular.ttf";

    export component Squeezed inherits Window {
        in property <length> room: 180px;
        in property <bool> hand-placed;
        default-font-family: "Noto Sans";
        Rectangle {
            x: 0px;
            y: 0px;
            width: 360px;
            height: 380px;
            VerticalLayout {
                alignment: start;
                Text {
                    // A banner given a fixed height, as banners are.
                    height: root.room;
                    text: "Counsel has not acknowledged yet. Call counsel now at the number below.";
                    wrap: word-wrap;
                    font-size: 28px;
                }
                Rectangle {
                    height: 8px;
                    // A row placed by hand, as the acknowledge button was.
                    if root.hand-placed: Text {
                        y: -40px;
                        text: "Acknowledge";
                        font-size: 28px;
                    }
                }
                Text {
                    text: "Back";
                    font-size: 28px;
                }
            }
        }
    }
}

fn found(
    window: &std::rc::Rc<slint::platform::software_renderer::MinimalSoftwareWindow>,
    ui: &Squeezed,
) -> Vec<fit::Misfit> {
    headless::render(window, 400, 400).unwrap();
    fit::misfits(ui.window())
}

#[test]
fn a_squeezed_layout_is_found_and_a_roomy_one_is_not() {
    let window = headless::install().unwrap();
    let ui = Squeezed::new().unwrap();
    ui.show().unwrap();

    // Room for every word: nothing found, and all three texts measured.
    assert!(found(&window, &ui).is_empty(), "{:#?}", found(&window, &ui));
    let texts = fit::texts(ui.window());
    assert_eq!(texts.len(), 2, "{texts:#?}");
    assert!(texts.iter().all(|t| t.drawn.height > 20.0), "{texts:#?}");

    // A row placed by hand over the sentence above it.
    ui.set_hand_placed(true);
    let said: Vec<String> = found(&window, &ui).iter().map(|m| m.to_string()).collect();
    assert!(
        said.iter().any(|s| s.contains("is drawn over")
            && s.contains("Acknowledge")
            && s.contains("Counsel has not")),
        "the hand-placed row is drawn over the sentence: {said:#?}"
    );
    ui.set_hand_placed(false);

    // Squeezed to 60 px of height, the wrapped sentence needs more than
    // its box: it spills, over the text below it.
    ui.set_room(60.0);
    let misfits = found(&window, &ui);
    assert!(
        misfits
            .iter()
            .any(|m| matches!(m, fit::Misfit::Spills(p) if p.text.starts_with("Counsel"))),
        "{misfits:#?}"
    );
    assert!(
        misfits
            .iter()
            .any(|m| matches!(m, fit::Misfit::Overlap(..))),
        "{misfits:#?}"
    );
}
