//! The `threshold` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    threshold::cli::main()
}
