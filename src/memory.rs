//! The process's heap: glibc's malloc for the server and most commands, mimalloc for `daftar
//! index`. The only unsafe code in daftar: the allocator's dispatch, the loader's call that
//! chooses, and two calls into glibc.
//!
//! glibc gives each thread that allocates concurrently an arena of its own (up to 8 per core) and
//! keeps what each one freed for later. The server's blocking pool grows to dozens of threads
//! under concurrent searches, and every commit's new searcher allocates its caches wherever a
//! search runs next: at 100,000 notes the anonymous memory grew from 110 to 300 MB over 50
//! single-note commits. And a full index build frees hundreds of megabytes (tantivy's indexing
//! arenas, the notes in flight) that glibc keeps: a server that built its index at start sat at
//! 800 MB afterwards. BENCHMARKS.md, "Serving memory", has the figures.
//!
//! mimalloc builds an index faster (at 10,000 notes 4% less wall time and 8% less user CPU, less
//! of it in malloc and free: `benches/ab-build.sh`, 12 rounds), but a server on it held two to
//! four times glibc's anonymous memory (each thread of the blocking pool keeps pages of its own):
//! a serving peak of 380 MB at 100,000 notes, against 245 MB and DESIGN's 300. So the allocator
//! follows the command: `daftar index` is a batch that exits when done, and gets mimalloc;
//! everything else keeps glibc. The choice is made once, by the loader's call to [`choose`] before
//! `main`, and holds for the process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering};

/// No allocation yet: the allocator can still be chosen.
const UNDECIDED: u8 = 0;
const GLIBC: u8 = 1;
const MIMALLOC: u8 = 2;

/// Which allocator the process uses. Leaves [`UNDECIDED`] exactly once, by [`choose`] or by the
/// first allocation (which takes glibc if [`choose`] has not run), and never changes after: every
/// block is freed by the allocator that gave it.
static HEAP: AtomicU8 = AtomicU8::new(UNDECIDED);

/// The heap that `main.rs` installs as the global allocator.
#[derive(Debug, Clone, Copy)]
pub struct Heap;

impl Heap {
    /// The allocator chosen, choosing glibc if nothing chose before.
    #[inline]
    fn chosen() -> u8 {
        match HEAP.load(Ordering::Acquire) {
            UNDECIDED => match HEAP.compare_exchange(UNDECIDED, GLIBC, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => GLIBC,
                Err(now) => now,
            },
            now => now,
        }
    }
}

/// The allocator this process uses: `"mimalloc"` or `"glibc"` (the system's).
pub fn heap_name() -> &'static str {
    if Heap::chosen() == MIMALLOC {
        "mimalloc"
    } else {
        "glibc"
    }
}

// SAFETY: each call goes to one of two allocators that uphold GlobalAlloc's contract, and the
// choice between them is made before the first block is handed out and never changes, so a block
// is always resized and freed by the allocator that made it.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Heap {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout is passed on unchanged.
        unsafe {
            if Heap::chosen() == MIMALLOC {
                mimalloc::MiMalloc.alloc(layout)
            } else {
                System.alloc(layout)
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as alloc.
        unsafe {
            if Heap::chosen() == MIMALLOC {
                mimalloc::MiMalloc.alloc_zeroed(layout)
            } else {
                System.alloc_zeroed(layout)
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from the allocator chosen, which is the one freeing it.
        unsafe {
            if Heap::chosen() == MIMALLOC {
                mimalloc::MiMalloc.dealloc(ptr, layout)
            } else {
                System.dealloc(ptr, layout)
            }
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as dealloc.
        unsafe {
            if Heap::chosen() == MIMALLOC {
                mimalloc::MiMalloc.realloc(ptr, layout, new_size)
            } else {
                System.realloc(ptr, layout, new_size)
            }
        }
    }
}

/// The signature of an `.init_array` entry: glibc calls each with the process's arguments and
/// environment, before `main` and before any Rust code has run.
pub type Init = unsafe extern "C" fn(libc::c_int, *const *const libc::c_char, *const *const libc::c_char);

/// Chooses the allocator from the command line (`daftar index …` gets mimalloc), before the first
/// allocation; `main.rs` lists it in `.init_array`. If anything allocated first, glibc stays.
///
/// # Safety
/// `argv` holds `argc` pointers to NUL-terminated strings, as the loader passes them.
#[allow(unsafe_code)]
pub unsafe extern "C" fn choose(argc: libc::c_int, argv: *const *const libc::c_char, _env: *const *const libc::c_char) {
    if argc < 2 || argv.is_null() {
        return;
    }
    // SAFETY: `argv` holds `argc` (≥ 2) NUL-terminated strings, as the caller promises.
    let command = unsafe {
        let first = *argv.add(1);
        if first.is_null() {
            return;
        }
        std::ffi::CStr::from_ptr(first)
    };
    if !wants_mimalloc(command.to_bytes()) {
        return;
    }
    // Fails, leaving glibc, if anything allocated before.
    let _ = HEAP.compare_exchange(UNDECIDED, MIMALLOC, Ordering::AcqRel, Ordering::Acquire);
}

/// Whether the command (the first argument) is a batch that gets mimalloc.
fn wants_mimalloc(command: &[u8]) -> bool {
    command == b"index"
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_index_command_takes_mimalloc() {
        assert!(wants_mimalloc(b"index"));
        for other in [&b"serve"[..], b"search", b"check", b"indexes", b"--index", b""] {
            assert!(!wants_mimalloc(other), "{}", String::from_utf8_lossy(other));
        }
    }
}
