//! The gradlab binary: in the browser it mounts the playground page; natively it is
//! the command line.

/// Web entry point: mount the page (everything else lives in `gradlab::ui`).
#[cfg(target_arch = "wasm32")]
fn main() {
    gradlab::ui::mount();
}

/// Native entry point: the command line (`gradlab::cli`), exiting with its code.
#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    gradlab::cli::main()
}
