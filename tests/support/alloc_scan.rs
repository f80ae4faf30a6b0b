//! A global allocator that finds secrets left in freed memory (see `tests/secret_copies.rs`).
//!
//! Include it with `#[path = ".../tests/support/alloc_scan.rs"] mod alloc_scan;`: it installs
//! itself as the binary's global allocator. While a thread runs [`unwiped_frees`], every block
//! that thread frees is searched for [`CANARY`] and its Basic-auth base64 form just before it is
//! handed back to the system. Reallocation goes through the default `GlobalAlloc::realloc`
//! (allocate, copy, free the old block), so a secret buffer that grows is caught too, even
//! where the system allocator would have grown it in place. Other threads are not scanned.
//!
//! A freed block may contain bytes that were never initialized (a `Vec`'s spare capacity);
//! reading them is what any memory scanner does and is not meaningful to Miri, so a binary
//! with this allocator is not one to run under Miri.
#![allow(unsafe_code, dead_code, unreachable_pub)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::OnceLock;

/// The secret every scanning test handles.
pub const CANARY: &str = "CANARYwipe7f3a9c1e5b2d48a6f0e3c7b9d1a4f6e8c2b5d7a9f1e3c";

struct Scanner;

thread_local! {
    static SCANNING: Cell<bool> = const { Cell::new(false) };
    static UNWIPED: Cell<usize> = const { Cell::new(0) };
}

/// The byte strings that must not be left in freed memory, set before any scan.
static PATTERNS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();

fn holds_a_pattern(block: &[u8]) -> bool {
    PATTERNS.get().is_some_and(|patterns| patterns.iter().any(|p| block.windows(p.len()).any(|w| w == p.as_slice())))
}

// SAFETY: every call is forwarded to `System`; `dealloc` reads, then zeroes, only the block it is about to free.
unsafe impl GlobalAlloc for Scanner {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if SCANNING.try_with(Cell::get).unwrap_or(false) {
            // SAFETY: the block is `layout.size()` bytes and still ours until freed below.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if holds_a_pattern(block) {
                let _ = UNWIPED.try_with(|n| n.set(n.get() + 1));
            }
        }
        // Every block leaves zeroed (scanned or not, on any thread), so stale canary bytes in
        // reused memory can never be taken for a copy patkit left unwiped.
        // SAFETY: the block is `layout.size()` writable bytes and still ours until freed below.
        unsafe { std::ptr::write_bytes(ptr, 0, layout.size()) };
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Scanner = Scanner;

/// Runs `f` with scanning on for this thread; returns its result (dropped later, unscanned) and
/// how many freed blocks still held the canary.
pub fn unwiped_frees<R>(f: impl FnOnce() -> R) -> (R, usize) {
    use base64::Engine as _;
    PATTERNS.get_or_init(|| {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(":{CANARY}"));
        vec![CANARY.as_bytes().to_vec(), basic.into_bytes()]
    });
    UNWIPED.with(|n| n.set(0));
    SCANNING.with(|s| s.set(true));
    let result = f();
    SCANNING.with(|s| s.set(false));
    (result, UNWIPED.with(Cell::get))
}

/// The scanner sees a copy that is freed without being wiped.
pub fn assert_the_scanner_sees_unwiped_copies() {
    let ((), seen) = unwiped_frees(|| drop(std::hint::black_box(format!("Bearer {CANARY}"))));
    assert_eq!(seen, 1, "the scanner missed an unwiped copy; this test would prove nothing");
}
