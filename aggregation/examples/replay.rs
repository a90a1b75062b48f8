//! Replays a recorded HTTP/2 connection (`testdata/h2_*.bin`) through `ConnParser` a number of
//! times and prints the exchanges rebuilt: the workload of `benches/parse.rs`, as a program that a
//! profiler can run. `cargo xtask bench aggregation` runs it under callgrind for instructions per
//! exchange, a figure the host's speed swings do not move (criterion's timings do, ±30 %).
//!
//! Usage: `replay <grpc|browser> <times>`

use std::hint::black_box;

use aggregation::exchange::{Limits, Side};
use aggregation::parse::ConnParser;

/// As the service allocates (`src/main.rs`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn records(mut data: &[u8]) -> Vec<(Side, &[u8])> {
    let mut out = Vec::new();
    while let [side, a, b, c, d, rest @ ..] = data {
        let len = u32::from_be_bytes([*a, *b, *c, *d]) as usize;
        let Some(bytes) = rest.get(..len) else {
            break;
        };
        let side = if *side == 0 {
            Side::Client
        } else {
            Side::Server
        };
        out.push((side, bytes));
        data = &rest[len..];
    }
    out
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let (which, times) = (
        args.next(),
        args.next().and_then(|n| n.parse::<usize>().ok()),
    );
    let data: &[u8] = match (which.as_deref(), times) {
        (Some("grpc"), Some(_)) => include_bytes!("../testdata/h2_grpc.bin"),
        (Some("browser"), Some(_)) => include_bytes!("../testdata/h2_browser.bin"),
        _ => {
            eprintln!("usage: replay <grpc|browser> <times>");
            return std::process::ExitCode::FAILURE;
        }
    };
    let log = records(data);
    let mut exchanges = 0usize;
    for _ in 0..times.unwrap_or(0) {
        let mut p = ConnParser::new(Limits::default(), false);
        for (side, bytes) in &log {
            p.feed(*side, bytes);
            while let Some(e) = p.pop() {
                black_box(&e);
                exchanges += 1;
            }
        }
        p.finish();
        while let Some(e) = p.pop() {
            black_box(&e);
            exchanges += 1;
        }
    }
    println!("{exchanges}");
    std::process::ExitCode::SUCCESS
}
