//! Detection throughput over a mixed corpus: the shared corpora when present (`../shared/corpora`
//! relative to the workspace root), otherwise the crate's own fixtures. Reports elements/s,
//! i.e. requests per CPU second of the benchmark thread ([`benchtime::ThreadCpu`]).
//!
//! With `BENCH_SAMPLE_OUT=FILE` the requests measured are also written there (JSON Lines, as read):
//! `cargo xtask bench processing` runs ModSecurity + CRS on the same requests and prints the
//! ratio.

use std::path::Path;

use benchtime::{cpu_time, ThreadCpu};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use processing::detect::Engine;
use processing::model::HttpRequest;
use processing::point::{self, Limits};

/// At most this many requests per corpus keep one iteration short.
const PER_CORPUS: usize = 4000;

fn parse(line: &str) -> Option<HttpRequest> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if v.get("body_encoding").is_some() {
        return None;
    }
    Some(HttpRequest {
        method: v["method"].as_str()?.to_owned(),
        uri: v["uri"].as_str()?.to_owned(),
        version: "HTTP/1.1".to_owned(),
        headers: v["headers"]
            .as_array()?
            .iter()
            .filter_map(|h| {
                Some((
                    h[0].as_str()?.to_owned(),
                    h[1].as_str()?.as_bytes().to_vec(),
                ))
            })
            .collect(),
        body: v["body"].as_str()?.as_bytes().to_vec(),
    })
}

fn corpus() -> Vec<HttpRequest> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora");
    let mut files: Vec<_> = std::fs::read_dir(&shared)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("requests.jsonl"))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = Vec::new();
    let mut sample = String::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        // Spread the sample over the file: corpora are ordered by class.
        let lines: Vec<&str> = text.lines().collect();
        let step = (lines.len() / PER_CORPUS).max(1);
        for l in lines.iter().step_by(step).take(PER_CORPUS) {
            if let Some(r) = parse(l) {
                out.push(r);
                sample.push_str(l);
                sample.push('\n');
            }
        }
    }
    if out.is_empty() {
        let fixtures = include_str!("../testdata/mixed.jsonl");
        out = fixtures.lines().filter_map(parse).collect();
        sample = fixtures
            .lines()
            .filter(|l| parse(l).is_some())
            .map(|l| format!("{l}\n"))
            .collect();
    }
    if let Some(path) = std::env::var_os("BENCH_SAMPLE_OUT") {
        if let Err(e) = std::fs::write(&path, &sample) {
            eprintln!(
                "BENCH_SAMPLE_OUT: cannot write {}: {e}",
                Path::new(&path).display()
            );
        }
    }
    out
}

fn bench(c: &mut Criterion<ThreadCpu>) {
    let engine = Engine::new();
    let reqs = corpus();
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(reqs.len() as u64));
    // As deployed: header values found clean before (User-Agent, Accept…) are not re-checked.
    g.bench_function("scan_mixed", |b| {
        b.iter(|| reqs.iter().map(|r| engine.scan(r).len()).sum::<usize>())
    });
    // One pass from an empty memo: only the repeats within the sample are skipped, as on a
    // stream seen for the first time (the figure above is the steady state of a sample replayed).
    g.bench_function("scan_mixed_first_pass", |b| {
        b.iter(|| {
            engine.forget_clean_headers();
            reqs.iter().map(|r| engine.scan(r).len()).sum::<usize>()
        })
    });
    // Every header checked on every request: the cost of traffic whose headers never repeat.
    let cold = Engine::new().without_memo();
    g.bench_function("scan_mixed_cold", |b| {
        b.iter(|| reqs.iter().map(|r| cold.scan(r).len()).sum::<usize>())
    });
    // Extraction and decoding alone: the share of a scan that is not detection.
    let limits = Limits::default();
    g.bench_function("extract_mixed", |b| {
        b.iter(|| {
            reqs.iter()
                .map(|r| point::extract(r, &limits).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = cpu_time();
    targets = bench
}
criterion_main!(benches);
