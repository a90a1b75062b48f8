//! Replays a recorded HTTP/2 connection (`testdata/h2_*.bin`) through `ConnParser` a number of
//! times and prints the exchanges rebuilt: the workload of `benches/parse.rs`, as a program that a
//! profiler can run. `cargo xtask bench aggregation` runs it under callgrind for instructions per
//! exchange, a figure the host's speed swings do not move (criterion's timings do, ±30 %).
//!
//! Usage: `replay <grpc|browser> <times>`

#[path = "../benches/common/mod.rs"]
mod common;

/// As the service allocates (`src/main.rs`).
#[global_allocator]
static ALLOC: aggregation::alloc::Mimalloc = aggregation::alloc::Mimalloc;

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
    let log = common::records(data);
    let exchanges: usize = (0..times.unwrap_or(0))
        .map(|_| common::replay(&log, false))
        .sum();
    println!("{exchanges}");
    std::process::ExitCode::SUCCESS
}
