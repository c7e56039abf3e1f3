//! The gradlab binary: in the browser it mounts the playground page; natively it is
//! the command line.

/// Web entry point: mount the page (everything else lives in `gradlab::ui`).
#[cfg(target_arch = "wasm32")]
fn main() {
    gradlab::ui::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
