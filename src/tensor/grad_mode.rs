//! Grad mode: whether new ops record the autograd graph.
//!
//! It lives with the tensor because recording is what a tensor op does when it builds its
//! output (`ops.rs`); `autograd` only reads the recorded graph and re-exports these.

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// Whether ops currently record the graph.
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// Run `f` without recording the graph (evaluation, inference, optimizer updates).
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    // Restored on drop, so a panic inside `f` does not leave recording off.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            GRAD_ENABLED.with(|g| g.set(self.0));
        }
    }
    let _restore = Restore(GRAD_ENABLED.with(|g| g.replace(false)));
    f()
}
