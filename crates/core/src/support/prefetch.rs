//! Hints that start loading memory a loop will read a few steps on. At a million
//! instruments the build's loops read records scattered over hundreds of megabytes, one
//! cache miss after another: the loop over arrangements waits on memory for most of its
//! time. When the loop knows what it will read a few steps ahead, it asks for it now and
//! finds it in cache then. A hint never faults and changes no value, so the snapshot is
//! the same with or without it; on processors without one it does nothing.

/// Starts loading every cache line of `*r`.
#[inline(always)]
pub(crate) fn prefetch<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        let start = (r as *const T).cast::<u8>();
        for offset in (0..std::mem::size_of::<T>().max(1)).step_by(64) {
            // Within `*r`, so the pointer stays in bounds of one object.
            let line = start.wrapping_add(offset).cast::<i8>();
            // SAFETY: SSE, which the intrinsic needs, is part of every x86_64 processor, and
            // a prefetch reads no value into the program and cannot fault, whatever the
            // address; this one is inside a live reference besides.
            unsafe {
                core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(line)
            };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}
