//! Compiles the kiosk's `.slint` files (in `ui/`).

fn main() {
    // Every text of the UI goes through @tr; the translations (gettext .po,
    // ui/translations/<lang>/LC_MESSAGES/threshold.po) are compiled in.
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent".into())
        .with_bundled_translations("ui/translations");
    slint_build::compile_with_config("ui/kiosk.slint", config).expect("the kiosk UI compiles");
}
