//! Hostile requests never crash or stall the engine: a 100 MB body, a 10k-deep JSON document,
//! a megabyte header, invalid UTF-8 everywhere, decompression bombs. Each must finish with the
//! inspected bytes inside the configured bounds, and attacks inside the inspected part are still
//! reported.

use std::io::Write as _;

use processing::detect::{AttackType, Engine, MAX_PAYLOAD};
use processing::model::HttpRequest;
use processing::point::{extract, Limits};

fn post(ctype: &str, extra: &[(&str, &[u8])], body: Vec<u8>) -> HttpRequest {
    let mut headers = vec![("Content-Type".to_owned(), ctype.as_bytes().to_vec())];
    headers.extend(extra.iter().map(|(n, v)| ((*n).to_owned(), v.to_vec())));
    HttpRequest {
        method: "POST".into(),
        uri: "/upload".into(),
        version: "HTTP/1.1".into(),
        headers,
        body,
    }
}

/// Leaves stay within every bound of `limits`; returns the scan's attack types.
fn scan_bounded(req: &HttpRequest) -> Vec<AttackType> {
    let limits = Limits::default();
    let leaves = extract(req, &limits);
    assert!(leaves.len() <= limits.max_leaves);
    let bytes: usize = leaves.iter().map(|l| l.value.len()).sum();
    // One leaf may overshoot the running total by at most one value.
    assert!(
        bytes <= limits.max_bytes + limits.max_value,
        "{bytes} leaf bytes"
    );
    assert!(leaves.iter().all(|l| l.value.len() <= limits.max_value * 3));
    let hits = Engine::new().scan(req);
    assert!(hits.iter().all(|h| h.payload.len() <= MAX_PAYLOAD + 4));
    hits.into_iter().map(|h| h.attack).collect()
}

#[test]
fn hundred_megabyte_bodies_are_cut_at_the_body_limit() {
    let mut form = b"comment=".to_vec();
    form.extend(std::iter::repeat_n(b'a', 100 << 20));
    scan_bounded(&post("application/x-www-form-urlencoded", &[], form));

    // An attack at the start of a huge JSON body is still seen; the rest is not inspected.
    let mut json = br#"{"file":"../../../../etc/passwd","pad":""#.to_vec();
    json.extend(std::iter::repeat_n(b'x', 100 << 20));
    json.extend(b"\"}");
    let types = scan_bounded(&post("application/json", &[], json));
    assert!(types.contains(&AttackType::Ptrav), "{types:?}");
}

#[test]
fn deep_documents_stop_at_the_depth_limit() {
    let deep_json = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    scan_bounded(&post("application/json", &[], deep_json.into_bytes()));
    let deep_obj = "{\"a\":".repeat(10_000) + "1" + &"}".repeat(10_000);
    scan_bounded(&post("application/json", &[], deep_obj.into_bytes()));
    let deep_xml = "<a>".repeat(10_000) + "x" + &"</a>".repeat(10_000);
    scan_bounded(&post("application/xml", &[], deep_xml.into_bytes()));
}

#[test]
fn huge_headers_and_many_parameters_are_bounded() {
    let big = vec![b'A'; 1 << 20];
    let many_cookies = "k=v; ".repeat(200_000);
    let req = HttpRequest {
        method: "GET".into(),
        uri: format!("/?{}", "p=1&".repeat(200_000)),
        version: "HTTP/1.1".into(),
        headers: vec![
            ("User-Agent".into(), big.clone()),
            ("Cookie".into(), many_cookies.into_bytes()),
            ("X-Big".into(), big),
        ],
        body: Vec::new(),
    };
    scan_bounded(&req);
}

#[test]
fn invalid_utf8_is_inspected_lossily() {
    let mut body = b"q=".to_vec();
    body.extend([0xff, 0xfe, 0xc0, 0xae, 0x80]);
    body.extend(b"%2e%2e%2f%2e%2e%2fetc%2fpasswd");
    body.extend([0xed, 0xa0, 0x80]);
    let req = HttpRequest {
        method: "POST".into(),
        uri: "/\u{fffd}%ff%fe?x=%c0".into(),
        version: "HTTP/1.1".into(),
        headers: vec![
            (
                "Content-Type".into(),
                b"application/x-www-form-urlencoded".to_vec(),
            ),
            ("X-Bin".into(), vec![0, 0xff, 0x80, b'\r', b'\n', 0xc3]),
        ],
        body,
    };
    let types = scan_bounded(&req);
    assert!(types.contains(&AttackType::Ptrav), "{types:?}");
}

#[test]
fn decompression_bombs_stop_at_the_inflate_cap() {
    // 64 MiB of zeros (32 times the inflate cap) compresses to about 64 KiB.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).expect("in-memory write");
    }
    let bomb = enc.finish().expect("in-memory gzip");
    scan_bounded(&post(
        "application/json",
        &[("Content-Encoding", b"gzip")],
        bomb.clone(),
    ));
    // Declared as deflate (it is not): a clean decode failure, inspected raw.
    scan_bounded(&post(
        "text/plain",
        &[("Content-Encoding", b"deflate")],
        bomb,
    ));
}
