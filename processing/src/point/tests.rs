use super::*;
use crate::model::HttpRequest;

fn req(method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        uri: uri.into(),
        version: "HTTP/1.1".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

fn find<'a>(leaves: &'a [Leaf], point: &str) -> Option<&'a Leaf> {
    leaves.iter().find(|l| l.point.to_string() == point)
}

#[test]
fn point_display_and_json() {
    let p = Point::name("post")
        .with_name("json_doc")
        .with_name("hash")
        .with_key("user")
        .with_name("array")
        .with(PointPart::Index(0));
    assert_eq!(p.to_string(), r#"[post, json_doc, hash, "user", array, 0]"#);
    assert_eq!(
        serde_json::to_string(&p).ok().as_deref(),
        Some(r#"["post","json_doc","hash","user","array",0]"#)
    );
}

#[test]
fn extracts_uri_path_query_headers_cookies() {
    let r = req(
        "GET",
        "/api/files/report.pdf?id=1&q=a+b%2525",
        &[
            ("User-Agent", "curl/8"),
            ("Cookie", "sid=abc; theme=dark%21; %3Cb%3E=1"),
        ],
        "",
    );
    let leaves = extract(&r, &Limits::default());
    // A cookie name is inspected raw and, when it has escapes, decoded.
    let names: Vec<(String, &str)> = leaves
        .iter()
        .filter(|l| l.is_name && l.place == Place::Cookie)
        .map(|l| (l.point.to_string(), l.value.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (r#"[cookie, "%3Cb%3E", percent]"#.to_owned(), "<b>"),
            (r#"[cookie, "%3Cb%3E"]"#.to_owned(), "%3Cb%3E"),
        ]
    );
    assert_eq!(
        find(&leaves, "[uri]").map(|l| l.value.as_str()),
        Some("/api/files/report.pdf")
    );
    assert_eq!(
        find(&leaves, "[path, 1]").map(|l| l.value.as_str()),
        Some("files")
    );
    assert_eq!(
        find(&leaves, "[action_name]").map(|l| l.value.as_str()),
        Some("report")
    );
    assert_eq!(
        find(&leaves, "[action_ext]").map(|l| l.value.as_str()),
        Some("pdf")
    );
    assert_eq!(
        find(&leaves, r#"[get, "q"]"#).map(|l| l.value.as_str()),
        Some("a b%25")
    );
    assert_eq!(
        find(&leaves, r#"[get, "q", percent]"#).map(|l| l.value.as_str()),
        Some("a b%")
    );
    assert_eq!(
        find(&leaves, r#"[header, "USER-AGENT"]"#).map(|l| l.value.as_str()),
        Some("curl/8")
    );
    assert_eq!(
        find(&leaves, r#"[cookie, "theme"]"#).map(|l| l.value.as_str()),
        Some("dark!")
    );
}

#[test]
fn extracts_json_form_and_nested_decoders() {
    let r = req(
        "POST",
        "/",
        &[("Content-Type", "application/json")],
        r#"{"user":{"tags":["x","&lt;b&gt;"]},"blob":"Li4vLi4vZXRjL3Bhc3N3ZA=="}"#,
    );
    let leaves = extract(&r, &Limits::default());
    assert!(find(
        &leaves,
        r#"[post, json_doc, hash, "user", hash, "tags", array, 1, htmljs]"#
    )
    .is_some_and(|l| l.value == "<b>"));
    assert!(find(&leaves, r#"[post, json_doc, hash, "blob", base64]"#)
        .is_some_and(|l| l.value == "../../etc/passwd"));

    let r = req(
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "a=1&b=x%20y",
    );
    let leaves = extract(&r, &Limits::default());
    assert!(find(&leaves, r#"[post, form_urlencoded, "b"]"#).is_some_and(|l| l.value == "x y"));
}

#[test]
fn extracts_xml_and_multipart() {
    let r = req(
        "POST",
        "/",
        &[("Content-Type", "text/xml")],
        r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a k="v"><b>t</b></a>"#,
    );
    let leaves = extract(&r, &Limits::default());
    assert!(find(&leaves, "[post, xml, xml_dtd]").is_some_and(|l| l.value.contains("ENTITY")));
    assert!(
        find(&leaves, r#"[post, xml, xml_tag, "a", xml_tag, "b"]"#).is_some_and(|l| l.value == "t")
    );
    assert!(find(&leaves, r#"[post, xml, xml_tag, "a", xml_attr, "k"]"#)
        .is_some_and(|l| l.value == "v"));

    let r = req(
        "POST",
        "/",
        &[("Content-Type", "multipart/form-data; boundary=B")],
        "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nhello\r\n--B--\r\n",
    );
    let leaves = extract(&r, &Limits::default());
    assert!(find(&leaves, r#"[post, multipart, "f"]"#).is_some_and(|l| l.value == "hello"));
    assert!(
        find(&leaves, r#"[post, multipart, "f", file_name]"#).is_some_and(|l| l.value == "a.txt")
    );
}

#[test]
fn gzip_body_is_inflated_when_declared() {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"q=hello").expect("in-memory write");
    let gz = enc.finish().expect("in-memory gzip");
    let r = HttpRequest {
        method: "POST".into(),
        uri: "/".into(),
        version: "HTTP/1.1".into(),
        headers: vec![
            ("Content-Encoding".into(), b"gzip".to_vec()),
            (
                "Content-Type".into(),
                b"application/x-www-form-urlencoded".to_vec(),
            ),
        ],
        body: gz,
    };
    let leaves = extract(&r, &Limits::default());
    assert!(
        find(&leaves, r#"[post, gzip, form_urlencoded, "q"]"#).is_some_and(|l| l.value == "hello")
    );
}

#[test]
fn hostile_input_is_bounded() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let r = req("POST", "/", &[("Content-Type", "application/json")], &deep);
    let leaves = extract(&r, &Limits::default());
    assert!(
        leaves.len() <= 3,
        "{:?}",
        leaves
            .iter()
            .map(|l| l.point.to_string())
            .collect::<Vec<_>>()
    );

    let many = "a=b&".repeat(100_000);
    let r = req(
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &many,
    );
    let limits = Limits::default();
    assert!(extract(&r, &limits).len() <= limits.max_leaves);

    // Base64 of base64 of … stops at max_depth.
    let mut v = "../../etc/passwd".to_string();
    for _ in 0..20 {
        use ::base64::Engine as _;
        v = ::base64::engine::general_purpose::STANDARD.encode(v);
    }
    let r = req("GET", &format!("/?x={v}"), &[], "");
    assert!(extract(&r, &limits).len() < 40);
}
