//! Compiles the kiosk's `.slint` files (in `ui/`).

fn main() {
    let config = slint_build::CompilerConfiguration::new().with_style("fluent".into());
    slint_build::compile_with_config("ui/kiosk.slint", config).expect("the kiosk UI compiles");
}
