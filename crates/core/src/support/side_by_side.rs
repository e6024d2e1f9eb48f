//! Two independent parts of a build run at once, one on a scoped thread. The build is
//! memory-bound at a million instruments, and its parts that only read what is built so
//! far (checking instruments, indexing grants, checking exercises) each take tens of
//! milliseconds there; small registers, where a thread costs more than it saves, run
//! them one after the other.

use std::cell::Cell;

thread_local! {
    /// Set while [`on_one_thread`] runs on this thread.
    static ONE_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every [`side_by_side`] it reaches on this thread running both parts here.
pub(crate) fn on_one_thread<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            ONE_THREAD.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(ONE_THREAD.with(|c| c.replace(true)));
    f()
}

/// `(a(), b())`, with `b` on a second thread when `parallel` (and not [`on_one_thread`]).
/// If no thread can be had, `b` runs here after `a`, which is why it is `Fn`: the thread
/// that was not started consumed its closure, not `b`. A panic in either is resumed here.
pub(crate) fn side_by_side<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A,
    b: impl Fn() -> B + Sync,
) -> (A, B) {
    if !parallel || ONE_THREAD.with(Cell::get) {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let b = &b;
        let other = std::thread::Builder::new().spawn_scoped(scope, b);
        let a = a();
        let b = match other {
            Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            Err(_) => b(),
        };
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    use super::side_by_side;

    #[test]
    fn both_answers_come_back_in_order_either_way() {
        let v: Vec<u64> = (0..10_000).collect();
        for parallel in [false, true] {
            let (a, b) = side_by_side(
                parallel,
                || v[..5_000].iter().sum::<u64>(),
                || v[5_000..].iter().sum::<u64>(),
            );
            assert_eq!((a, b), (12_497_500, 37_497_500));
        }
    }

    #[test]
    fn on_one_thread_keeps_both_parts_on_the_calling_thread() {
        let here = std::thread::current().id();
        let ids = super::on_one_thread(|| {
            side_by_side(
                true,
                || std::thread::current().id(),
                || std::thread::current().id(),
            )
        });
        assert_eq!(ids, (here, here));
        // And only while it runs.
        let (_, b) = side_by_side(true, || (), || std::thread::current().id());
        assert_ne!(b, here);
    }
}
