//! What the benches and `examples/replay.rs` share: the replay loop (and the recordings' reader),
//! so that the instructions counted for the example are the benches' workload.

use std::hint::black_box;

use aggregation::exchange::{Limits, Side};
use aggregation::parse::ConnParser;

/// The records of a `testdata/h2_*.bin` recording.
pub use aggregation::recording::decode as records;

/// Feeds `log` to a new parser, popping exchanges as they come; returns how many.
pub fn replay(log: &[(Side, Vec<u8>)], mid_stream: bool) -> usize {
    let mut p = ConnParser::new(Limits::default(), mid_stream);
    let mut n = 0;
    for (side, bytes) in log {
        p.feed(*side, bytes);
        while let Some(e) = p.pop() {
            black_box(&e);
            n += 1;
        }
    }
    p.finish();
    while let Some(e) = p.pop() {
        black_box(&e);
        n += 1;
    }
    n
}
