//! The service's allocator: mimalloc, entered the way Rust's system allocator enters malloc.
//!
//! `mimalloc::MiMalloc` calls `mi_malloc_aligned` for every allocation, whose fast path checks the
//! alignment of the free block it found: about 20 instructions more per allocation than
//! `mi_malloc`, 1.5 % of an HTTP/2 exchange's rebuild (issue 5, callgrind). mimalloc's blocks are
//! whole words and start on word boundaries, so up to word alignment (bytes, strings, boxes of
//! ordinary structs: nearly everything) `mi_malloc` returns a suitable block; larger alignments
//! keep the aligned entry points.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as ffi;
use mimalloc::MiMalloc;

/// See the module documentation.
pub struct Mimalloc;

/// Alignment every mimalloc block has.
const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: every block comes from mimalloc and goes back to it; the unaligned entry points are
// used only for alignments every mimalloc block satisfies (see `WORD`), others go to `MiMalloc`,
// and `mi_free` frees blocks from either.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: plain allocation, any non-zero size (GlobalAlloc's contract).
            unsafe { ffi::mi_malloc(layout.size()).cast() }
        } else {
            // SAFETY: same contract as the caller's.
            unsafe { MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: as in `alloc`.
            unsafe { ffi::mi_zalloc(layout.size()).cast() }
        } else {
            // SAFETY: same contract as the caller's.
            unsafe { MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (the caller's contract): a mimalloc block.
        unsafe { ffi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: `ptr` is a mimalloc block of this allocator; the new block is word-aligned.
            unsafe { ffi::mi_realloc(ptr.cast::<c_void>(), new_size).cast() }
        } else {
            // SAFETY: same contract as the caller's.
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of every small size and alignment are aligned, writable, keep their bytes when
    /// grown, and go back (mimalloc checks frees of foreign pointers in debug builds only, so the
    /// bytes are the check here).
    #[test]
    fn blocks_are_aligned_and_keep_their_bytes_when_grown() {
        let a = Mimalloc;
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=600).chain([1000, 4096, 5000, 70_000]) {
                let layout = Layout::from_size_align(size, align).expect("layout");
                // SAFETY: non-zero size; the block is used within its size and freed once.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    std::ptr::write_bytes(p, 0xa5, size);
                    let q = a.realloc(p, layout, size * 3);
                    assert!(!q.is_null());
                    assert_eq!(q as usize % align, 0, "grown: size {size} align {align}");
                    assert!(std::slice::from_raw_parts(q, size)
                        .iter()
                        .all(|&b| b == 0xa5));
                    a.dealloc(q, Layout::from_size_align(size * 3, align).expect("layout"));
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0);
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
