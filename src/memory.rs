//! The process's heap, as glibc's malloc keeps it: the only unsafe code in daftar, two calls.
//!
//! glibc gives each thread that allocates concurrently an arena of its own (up to 8 per core) and
//! keeps what each one freed for later. The server's blocking pool grows to dozens of threads
//! under concurrent searches, and every commit's new searcher allocates its caches wherever a
//! search runs next: at 100,000 notes the anonymous memory grew from 110 to 300 MB over 50
//! single-note commits. And a full index build frees hundreds of megabytes (tantivy's indexing
//! arenas, the notes in flight) that glibc keeps: a server that built its index at start sat at
//! 800 MB afterwards. BENCHMARKS.md, "Serving memory", has the figures.

/// At start, before any other thread exists: at most two arenas per core (the same 16-client
/// throughput, half the serving peak). `MALLOC_ARENA_MAX`, when set, wins.
pub fn bound_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = i32::try_from(2 * cores).unwrap_or(i32::MAX);
        // SAFETY: mallopt only sets a limit; called before other threads allocate.
        #[allow(unsafe_code)]
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// Hands the memory malloc holds free back to the system, after work that freed some of it (each
/// batch of changes the writer applies).
pub fn release_free() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of malloc's own heaps to the kernel.
    #[allow(unsafe_code)]
    unsafe {
        libc::malloc_trim(0);
    }
}
