//! The allocator. glibc's (`malloc`, `free`, `malloc_consolidate`) took a
//! quarter of a page's CPU under load (`scripts/bench-pages.sh` with `perf`);
//! mimalloc's per-thread pages cost much less.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_decommits` in mimalloc.h's `mi_option_e` (v2 and v3 alike).
const PURGE_DECOMMITS: libmimalloc_sys::mi_option_t = 5;

/// Memory mimalloc purges goes back to the system (`MADV_DONTNEED`), rather
/// than staying counted in the process's size until the system is short of
/// memory (`MADV_FREE`, the default). Called first thing in `main`.
pub fn configure() {
    // SAFETY: sets one of mimalloc's process-wide integer options, which it
    // reads when it next purges; any value is valid.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DECOMMITS, 1) };
}

/// Hands back what start-up used and freed (the dummy password hash's 19 MiB)
/// now: mimalloc purges only when it is next busy, and an idle server is not.
pub fn release_startup_memory() {
    // SAFETY: a plain call into the allocator, no pointer passed.
    unsafe { libmimalloc_sys::mi_collect(true) };
}
