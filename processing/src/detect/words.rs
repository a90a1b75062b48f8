//! The hasher of the tokenizer-based detectors' keyword maps. Lookups happen for every word of every
//! value, so the set uses FNV-1a instead of SipHash: the keys are short, static and not
//! attacker-chosen (only probed with attacker text), so hash flooding is not a concern.

use std::hash::Hasher;

#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}
