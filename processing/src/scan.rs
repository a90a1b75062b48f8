//! `scan`: labelled corpus lines in (FORMAT.md), one detection line per request out. This is
//! how detection quality is measured, so the output format is stable:
//! `{"id":"…","attacks":[{"type":"ptrav","point":["get","file"],"payload":"…"}]}`.

use std::io::{BufRead, Write};

use anyhow::Context as _;
use base64::Engine as _;
use serde::Deserialize;

use crate::detect::Engine;
use crate::model::HttpRequest;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanStats {
    pub requests: u64,
    pub with_attacks: u64,
    pub bad_lines: u64,
}

#[derive(Deserialize)]
struct Record {
    id: serde_json::Value,
    #[serde(default)]
    method: String,
    #[serde(default)]
    uri: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    body_encoding: Option<String>,
}

#[derive(serde::Serialize)]
struct OutAttack<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    point: &'a crate::point::Point,
    payload: &'a str,
}

#[derive(serde::Serialize)]
struct OutLine<'a> {
    id: &'a serde_json::Value,
    attacks: Vec<OutAttack<'a>>,
}

fn to_request(r: Record) -> Result<(serde_json::Value, HttpRequest), String> {
    let body = match r.body_encoding.as_deref() {
        Some("base64") => base64::engine::general_purpose::STANDARD
            .decode(r.body.as_bytes())
            .map_err(|e| format!("body is not base64: {e}"))?,
        Some(other) => return Err(format!("unknown body_encoding {other:?}")),
        None => r.body.into_bytes(),
    };
    let req = HttpRequest {
        method: r.method,
        uri: r.uri,
        version: r.version.unwrap_or_else(|| "HTTP/1.1".to_owned()),
        headers: r
            .headers
            .into_iter()
            .map(|(n, v)| (n, v.into_bytes()))
            .collect(),
        body,
    };
    Ok((r.id, req))
}

/// Scans every line of `input`. A line that is not a valid record is reported on stderr and
/// counted in `bad_lines`; only I/O errors on `output` end the run.
pub fn run(
    input: impl BufRead,
    mut output: impl Write,
    engine: &Engine,
) -> anyhow::Result<ScanStats> {
    let mut stats = ScanStats::default();
    for (n, line) in input.split(b'\n').enumerate() {
        let line = line.context("reading input")?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = serde_json::from_slice::<Record>(&line)
            .map_err(|e| e.to_string())
            .and_then(to_request);
        let (id, req) = match parsed {
            Ok(v) => v,
            Err(e) => {
                eprintln!("scan: line {}: {e}", n + 1);
                stats.bad_lines += 1;
                continue;
            }
        };
        let hits = engine.scan(&req);
        stats.requests += 1;
        if !hits.is_empty() {
            stats.with_attacks += 1;
        }
        let out = OutLine {
            id: &id,
            attacks: hits
                .iter()
                .map(|h| OutAttack {
                    kind: h.attack.as_str(),
                    point: &h.point,
                    payload: &h.payload,
                })
                .collect(),
        };
        serde_json::to_writer(&mut output, &out).context("writing output")?;
        output.write_all(b"\n").context("writing output")?;
    }
    output.flush().context("writing output")?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_one_line_per_request_and_counts_bad_lines() {
        let input = concat!(
            r#"{"id":"a","method":"GET","uri":"/x?file=..%2f..%2fetc%2fpasswd","headers":[["Host","h"]],"body":""}"#,
            "\n",
            "not json\n",
            r#"{"id":"b","method":"GET","uri":"/ok","headers":[],"body":""}"#,
            "\n",
            r#"{"id":"c","method":"POST","uri":"/","headers":[],"body":"!!","body_encoding":"base64"}"#,
            "\n",
        );
        let mut out = Vec::new();
        let stats = run(input.as_bytes(), &mut out, &Engine::new()).expect("scan runs");
        assert_eq!(
            stats,
            ScanStats {
                requests: 2,
                with_attacks: 1,
                bad_lines: 2
            }
        );
        let text = String::from_utf8(out).expect("utf-8 output");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[0]["attacks"][0]["type"], "ptrav");
        assert_eq!(lines[0]["attacks"][0]["point"][0], "get");
        assert_eq!(lines[1]["attacks"].as_array().map(Vec::len), Some(0));
    }
}
