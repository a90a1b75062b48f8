//! What the benches and `examples/replay.rs` share: the recordings' format and the replay loop,
//! so that the instructions counted for the example are the benches' workload.

use std::hint::black_box;

use aggregation::exchange::{Limits, Side};
use aggregation::parse::ConnParser;

/// The records of a `testdata/h2_*.bin` recording (format in `testdata/README.md`).
pub fn records(mut data: &[u8]) -> Vec<(Side, Vec<u8>)> {
    let mut out = Vec::new();
    while data.len() >= 5 {
        let side = if data[0] == 0 {
            Side::Client
        } else {
            Side::Server
        };
        let len = u32::from_be_bytes([data[1], data[2], data[3], data[4]]) as usize;
        let Some(bytes) = data.get(5..5 + len) else {
            break;
        };
        out.push((side, bytes.to_vec()));
        data = &data[5 + len..];
    }
    out
}

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
