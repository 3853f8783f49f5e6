//! Compiles the kiosk's `.slint` files (in `ui/`).

fn main() {
    // Every text of the UI goes through @tr; the translations (gettext .po,
    // assets/messages/<lang>/LC_MESSAGES/threshold.po, without a context)
    // are compiled in. Debug builds keep element debug info for the
    // screen-level tests.
    let debug = std::env::var("PROFILE").is_ok_and(|p| p == "debug");
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent".into())
        .with_bundled_translations("assets/messages")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        .with_debug_info(debug);
    slint_build::compile_with_config("ui/kiosk.slint", config).expect("the kiosk UI compiles");
}
