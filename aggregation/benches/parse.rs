//! Rebuild throughput of `ConnParser` on realistic traffic, and memory per idle connection.
//!
//! - `http1/mix`: keep-alive connections carrying browser page loads (600-byte heads, HTML bodies of
//!   2–16 KiB by Content-Length), JSON API calls (POST bodies, chunked JSON responses), conditional
//!   asset requests (304) and a pipelined burst; fed the way syscalls deliver it (a message or a
//!   16 KiB piece per feed).
//! - `http2/browser`, `http2/grpc`: traffic recorded from a real h2 client and server
//!   (`testdata/h2_*.bin`): Huffman-coded literals, dynamic-table indexing, concurrent streams.
//! - `http2/cold_hpack`: the first requests of many fresh connections, where every header is a
//!   Huffman-coded literal (the worst case for HPACK decoding).
//!
//! - `hpack/*`: the tolerant HPACK decoder alone on the header blocks of those recordings, and on
//!   blocks where every field is a Huffman-coded literal (a connection's first requests).
//!
//! The idle-connection memory figure is printed once (criterion has no memory measurement), and so
//! is each workload's speed relative to bare `httparse` (see [`print_relative_speed`]).
//!
//! Measured in CPU time of the benchmark thread ([`ThreadCpu`], see the `benchtime` crate for
//! why): throughput figures are bytes per CPU second.

use std::alloc::{GlobalAlloc, Layout};

use aggregation::alloc::Mimalloc;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use aggregation::exchange::{Limits, Side};
use aggregation::http2::hpack::{Decoder, Fields};
use aggregation::parse::ConnParser;
use benchtime::{cpu_time, thread_cpu_ns, ThreadCpu};
use common::{records, replay};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The replay loop and the recordings' format, shared with `examples/replay.rs`.
mod common;

const FEED: usize = 16 * 1024;

/// Counts heap allocations while [`COUNTING`] is on (off during timed runs: one relaxed load per
/// allocation is all the timed code pays). Allocates with mimalloc, as the service does
/// (`src/main.rs`).
struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to mimalloc unchanged; only counts.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { Mimalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { Mimalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { Mimalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Allocations (including reallocations) per emitted exchange while replaying `log` once.
fn allocs_per_exchange(log: &[(Side, Vec<u8>)]) -> f64 {
    ALLOCS.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let n = replay(log, false);
    COUNTING.store(false, Ordering::Relaxed);
    ALLOCS.load(Ordering::Relaxed) as f64 / n.max(1) as f64
}

fn browser_head(i: usize) -> String {
    format!(
        "GET /catalog/item/{i}?ref=home&sort=price HTTP/1.1\r\nHost: shop.example.com\r\n\
         User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36\r\n\
         Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n\
         Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\
         Cookie: session=8f14e45fceea167a5a36dedd4bea2543; cart={i}; _ga=GA1.2.1234567890.1700000000\r\n\
         Referer: https://shop.example.com/\r\nSec-Fetch-Mode: navigate\r\nConnection: keep-alive\r\n\r\n"
    )
}

/// One keep-alive connection's worth of traffic, as (side, feed) pieces in capture order.
fn http1_conversation() -> Vec<(Side, Vec<u8>)> {
    let mut out = Vec::new();
    let mut push = |side, bytes: Vec<u8>| {
        for c in bytes.chunks(FEED) {
            out.push((side, c.to_vec()));
        }
    };
    for i in 0..40 {
        match i % 8 {
            0..=3 => {
                push(Side::Client, browser_head(i).into_bytes());
                let body = vec![b'x'; 2048 + (i * 977) % 14336];
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\nServer: nginx/1.27\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nCache-Control: private\r\nSet-Cookie: seen={i}; Path=/\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                r.extend_from_slice(&body);
                push(Side::Server, r);
            }
            4 | 5 => {
                let json = format!(
                    "{{\"user\":\"u{i}\",\"items\":[{}],\"note\":\"{}\"}}",
                    "1,2,3,".repeat(20) + "4",
                    "n".repeat(300)
                );
                let mut q = format!(
                    "POST /api/v2/cart HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\n\
                     Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc\r\nContent-Length: {}\r\n\r\n",
                    json.len()
                )
                .into_bytes();
                q.extend_from_slice(json.as_bytes());
                push(Side::Client, q);
                let resp = format!(
                    "{{\"ok\":true,\"cart\":{i},\"total\":\"{}\"}}",
                    "9".repeat(900)
                );
                let mut r = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
                for c in resp.as_bytes().chunks(400) {
                    r.extend(format!("{:x}\r\n", c.len()).bytes());
                    r.extend_from_slice(c);
                    r.extend_from_slice(b"\r\n");
                }
                r.extend_from_slice(b"0\r\n\r\n");
                push(Side::Server, r);
            }
            6 => {
                push(
                    Side::Client,
                    format!("GET /static/app.{i}.js HTTP/1.1\r\nHost: shop.example.com\r\nIf-None-Match: \"abc{i}\"\r\n\r\n").into_bytes(),
                );
                push(
                    Side::Server,
                    format!("HTTP/1.1 304 Not Modified\r\nETag: \"abc{i}\"\r\n\r\n").into_bytes(),
                );
            }
            _ => {
                // A pipelined burst of three small requests, answered together.
                let mut q = Vec::new();
                let mut r = Vec::new();
                for j in 0..3 {
                    q.extend(format!("GET /api/v2/price/{i}/{j} HTTP/1.1\r\nHost: api.example.com\r\nAccept: application/json\r\n\r\n").bytes());
                    r.extend(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"price\":1234.5}");
                }
                push(Side::Client, q);
                push(Side::Server, r);
            }
        }
    }
    out
}

/// The preface, settings and first request/response of a recorded connection: every header a
/// Huffman-coded literal (`http2/cold_hpack`).
fn cold_start(log: &[(Side, Vec<u8>)]) -> Vec<(Side, Vec<u8>)> {
    let first_client = log
        .iter()
        .position(|(s, b)| *s == Side::Client && b.len() > 200)
        .unwrap_or(0);
    log[..(first_client + 3).min(log.len())].to_vec()
}

fn total(log: &[(Side, Vec<u8>)]) -> u64 {
    log.iter().map(|(_, b)| b.len() as u64).sum()
}

fn bench(c: &mut Criterion<ThreadCpu>) {
    print_idle_memory();
    print_allocations();
    print_relative_speed();
    let mut g = c.benchmark_group("rebuild");

    let h1 = http1_conversation();
    g.throughput(Throughput::Bytes(total(&h1)));
    g.bench_function("http1/mix", |b| b.iter(|| replay(&h1, false)));

    for (name, data) in [
        (
            "http2/browser",
            &include_bytes!("../testdata/h2_browser.bin")[..],
        ),
        ("http2/grpc", &include_bytes!("../testdata/h2_grpc.bin")[..]),
    ] {
        let log = records(data);
        g.throughput(Throughput::Bytes(total(&log)));
        g.bench_function(name, |b| b.iter(|| replay(&log, false)));
    }

    // The preface, settings and first request/response of a browser connection, many times over.
    let cold = cold_start(&records(include_bytes!("../testdata/h2_browser.bin")));
    g.throughput(Throughput::Bytes(total(&cold) * 100));
    g.bench_function("http2/cold_hpack", |b| {
        b.iter(|| (0..100).map(|_| replay(&cold, false)).sum::<usize>())
    });
    g.finish();
}

fn print_allocations() {
    let h1 = http1_conversation();
    let browser = records(include_bytes!("../testdata/h2_browser.bin"));
    let grpc = records(include_bytes!("../testdata/h2_grpc.bin"));
    eprintln!(
        "allocations per exchange (parser and exchange, not the consumer): http1/mix {:.1}, \
         http2/browser {:.1}, http2/grpc {:.1}",
        allocs_per_exchange(&h1),
        allocs_per_exchange(&browser),
        allocs_per_exchange(&grpc)
    );
}

fn print_idle_memory() {
    let size = |p: &ConnParser| std::mem::size_of::<ConnParser>() + p.heap_bytes();
    let drain = |p: &mut ConnParser| while p.pop().is_some() {};
    let fresh = ConnParser::new(Limits::default(), false);
    let mut h1 = ConnParser::new(Limits::default(), false);
    for (side, bytes) in &http1_conversation() {
        h1.feed(*side, bytes);
        drain(&mut h1);
    }
    let idle_h1 = size(&h1);
    h1.flush_unanswered();
    drain(&mut h1);
    let flushed_h1 = size(&h1);
    let mut h2 = ConnParser::new(Limits::default(), false);
    for (side, bytes) in records(include_bytes!("../testdata/h2_browser.bin")) {
        h2.feed(side, &bytes);
        drain(&mut h2);
    }
    let idle_h2 = size(&h2);
    h2.flush_unanswered();
    drain(&mut h2);
    let flushed_h2 = size(&h2);
    eprintln!(
        "bytes per ConnParser (size_of + heap): new {}; HTTP/1 after 40 exchanges {idle_h1}, after \
         flush_unanswered {flushed_h1}; HTTP/2 after 60 streams {idle_h2} (HPACK tables), after \
         flush_unanswered {flushed_h2}",
        size(&fresh)
    );
}

/// Header blocks (HEADERS frames with END_HEADERS, no padding/priority as h2 sends them) per side.
fn header_blocks(log: &[(Side, Vec<u8>)]) -> [Vec<Vec<u8>>; 2] {
    let mut out = [Vec::new(), Vec::new()];
    for (i, side) in [Side::Client, Side::Server].into_iter().enumerate() {
        let mut stream: Vec<u8> = log
            .iter()
            .filter(|(s, _)| *s == side)
            .flat_map(|(_, b)| b.clone())
            .collect();
        if side == Side::Client {
            stream.drain(..24);
        }
        let mut p = 0;
        while p + 9 <= stream.len() {
            let len = u32::from_be_bytes([0, stream[p], stream[p + 1], stream[p + 2]]) as usize;
            let (kind, flags) = (stream[p + 3], stream[p + 4]);
            if kind == 1 && flags & 0x4 != 0 && flags & 0x28 == 0 {
                out[i].push(stream[p + 9..p + 9 + len].to_vec());
            }
            p += 9 + len;
        }
    }
    out
}

fn decode_all(blocks: &[Vec<u8>]) -> usize {
    let mut d = Decoder::new(true);
    let mut n = 0;
    // One list reused for every block, as a connection reuses its scratch list.
    let mut fields = Fields::new();
    for b in blocks {
        fields.clear();
        if d.decode(b, 1 << 20, &mut fields).is_ok() {
            n += fields.len();
        }
        black_box(&fields);
    }
    n
}

fn bench_hpack(c: &mut Criterion<ThreadCpu>) {
    let mut g = c.benchmark_group("hpack");
    for (name, data) in [
        (
            "browser_blocks",
            &include_bytes!("../testdata/h2_browser.bin")[..],
        ),
        (
            "grpc_blocks",
            &include_bytes!("../testdata/h2_grpc.bin")[..],
        ),
    ] {
        let blocks = header_blocks(&records(data));
        let all: Vec<Vec<u8>> = blocks.concat();
        let bytes: u64 = all.iter().map(|b| b.len() as u64).sum();
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function(name, |b| {
            b.iter(|| decode_all(&blocks[0]) + decode_all(&blocks[1]))
        });
    }
    // First request and response blocks of a browser connection: every field a Huffman literal.
    let blocks = header_blocks(&records(include_bytes!("../testdata/h2_browser.bin")));
    let cold = [blocks[0][0].clone(), blocks[1][0].clone()];
    let bytes: u64 = cold.iter().map(|b| b.len() as u64).sum();
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("huffman_literals_cold", |b| {
        b.iter(|| decode_all(&cold[..1]) + decode_all(&cold[1..]))
    });
    g.finish();
}

/// An API call's request head (≈ 320 bytes), beside [`browser_head`]'s page load (≈ 600 bytes).
fn api_head(i: usize) -> String {
    format!(
        "POST /api/v2/orders/{i}/items HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: okhttp/4.12.0\r\n\
         Content-Type: application/json\r\nAccept: application/json\r\n\
         Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc\r\n\
         X-Request-Id: 4f1c2a9e-77b1-4c1e-9d2a-{i:012}\r\nContent-Length: 87\r\n\r\n"
    )
}

/// What bare `httparse` does on request heads on the machine the goals were set on
/// (`shared/notes/performance-anchors.md`: 3.2–3.7 GB/s): the midpoint.
const ANCHOR_HTTPARSE: f64 = 3.45e9;

/// Request heads for the host-speed reference: page loads and API calls alternately.
fn reference_heads() -> Vec<String> {
    (0..16)
        .map(|i| {
            if i % 2 == 0 {
                browser_head(i)
            } else {
                api_head(i)
            }
        })
        .collect()
}

/// The reference workload: bare `httparse` on each head.
fn parse_heads(heads: &[String]) -> usize {
    let mut n = 0;
    for h in heads {
        let mut fields = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut fields);
        if let Ok(httparse::Status::Complete(len)) = req.parse(black_box(h.as_bytes())) {
            n += len + req.headers.len();
        }
    }
    n
}

/// Batches of this much CPU time, alternated: both sides of a pair see the same moment of the host.
const PAIR_BATCH_NS: u64 = 200_000;
const PAIRS: usize = 300;

/// Bytes per CPU second of `work` relative to the reference, measured in alternating batches
/// (median of the per-pair ratios). Machines of one kind differ (seen: an AMD EPYC and a 2.3 GHz
/// Xeon, the same build 1.8x apart) and drift within minutes; a ratio taken this way moves far
/// less than either figure, and times the anchor it estimates the figure on the goals' machine.
/// Returns the quartiles of the per-pair ratios (the median is the figure).
fn relative_speed(work: &dyn Fn() -> usize, bytes: u64, heads: &[String]) -> [f64; 3] {
    let head_bytes: u64 = heads.iter().map(|h| h.len() as u64).sum();
    // CPU nanoseconds of `n` runs of `f`.
    let batch = |n: u64, f: &dyn Fn()| {
        let t = thread_cpu_ns();
        for _ in 0..n {
            f();
        }
        thread_cpu_ns().saturating_sub(t).max(1)
    };
    // Runs that fill a batch, by one run's time.
    let reps = |f: &dyn Fn()| (PAIR_BATCH_NS / batch(1, f)).max(1);
    let (ref_reps, work_reps) = (
        reps(&|| _ = black_box(parse_heads(heads))),
        reps(&|| _ = black_box(work())),
    );
    let mut ratios: Vec<f64> = (0..PAIRS)
        .map(|_| {
            let r = batch(ref_reps, &|| _ = black_box(parse_heads(heads))) as f64;
            let w = batch(work_reps, &|| _ = black_box(work())) as f64;
            (bytes * work_reps) as f64 / w / ((head_bytes * ref_reps) as f64 / r)
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    [1, 2, 3].map(|q| ratios[ratios.len() * q / 4])
}

/// Each rebuild workload's speed relative to bare `httparse`, and what that makes it on the
/// machine the goals were set on (an estimate; criterion's figures below are this machine's).
fn print_relative_speed() {
    let heads = reference_heads();
    let h1 = http1_conversation();
    let browser = records(include_bytes!("../testdata/h2_browser.bin"));
    let grpc = records(include_bytes!("../testdata/h2_grpc.bin"));
    let cold = cold_start(&browser);
    let here = {
        let b: u64 = heads.iter().map(|h| h.len() as u64).sum();
        let t = thread_cpu_ns();
        let n = 2000;
        for _ in 0..n {
            black_box(parse_heads(&heads));
        }
        (b * n) as f64 / (thread_cpu_ns() - t).max(1) as f64 * 1e9
    };
    eprintln!(
        "speed relative to bare httparse on request heads ({:.2} GB/s here, {:.2} GB/s on the goals' \
         machine), alternating batches, median of {PAIRS} pairs:",
        here / 1e9,
        ANCHOR_HTTPARSE / 1e9
    );
    let mut lines = String::new();
    for (name, log) in [
        ("http1/mix", &h1),
        ("http2/browser", &browser),
        ("http2/grpc", &grpc),
        ("http2/cold_hpack", &cold),
    ] {
        let [low, ratio, high] = relative_speed(&|| replay(log, false), total(log), &heads);
        let mb = |r: f64| r * ANCHOR_HTTPARSE / 1e6;
        eprintln!(
            "  {name:<18} {ratio:.3} -> {:.0} MB/s on the goals' machine (quartiles of the pairs: \
             {:.0}-{:.0})",
            mb(ratio),
            mb(low),
            mb(high)
        );
        lines.push_str(&format!("{name} {}\n", ratio * ANCHOR_HTTPARSE));
    }
    // Bytes/s estimated for the goals' machine: `cargo xtask bench` puts them beside criterion's
    // figures and the goals.
    if let Some(path) = std::env::var_os("BENCH_RELATIVE_OUT") {
        if let Err(e) = std::fs::write(&path, lines) {
            eprintln!("BENCH_RELATIVE_OUT: cannot write {path:?}: {e}");
        }
    }
}

criterion_group! {
    name = benches;
    config = cpu_time();
    targets = bench, bench_hpack
}
criterion_main!(benches);
