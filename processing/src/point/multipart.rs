//! `multipart/form-data` (RFC 7578): part names, filenames and data. Tolerant of LF-only line
//! ends and a missing final boundary, since captured bodies may be truncated.

use memchr::memmem;

pub struct Part {
    pub name: Vec<u8>,
    pub filename: Option<Vec<u8>>,
    pub data: Vec<u8>,
}

/// The `boundary` parameter of a Content-Type value (case of the value kept).
pub fn boundary(content_type: &str) -> Option<String> {
    let lower = content_type.to_ascii_lowercase();
    let at = lower.find("boundary=")? + "boundary=".len();
    let rest = &content_type[at..];
    let b = match rest.strip_prefix('"') {
        Some(q) => q.split('"').next()?,
        None => rest.split([';', ',', ' ']).next()?,
    };
    (!b.is_empty()).then(|| b.to_owned())
}

/// Parts between `--boundary` delimiters.
pub fn parts(body: &[u8], boundary: &str) -> Vec<Part> {
    let delim = format!("--{boundary}");
    let finder = memmem::Finder::new(delim.as_bytes());
    let starts: Vec<usize> = finder.find_iter(body).collect();
    let mut out = Vec::new();
    for (i, &s) in starts.iter().enumerate() {
        let from = s + delim.len();
        if body[from..].starts_with(b"--") {
            break;
        }
        let to = starts.get(i + 1).copied().unwrap_or(body.len());
        if let Some(p) = part(&body[from..to]) {
            out.push(p);
        }
    }
    out
}

fn part(raw: &[u8]) -> Option<Part> {
    let raw = raw
        .strip_prefix(b"\r\n")
        .or_else(|| raw.strip_prefix(b"\n"))
        .unwrap_or(raw);
    let (head, data) = match memmem::find(raw, b"\r\n\r\n") {
        Some(p) => (&raw[..p], &raw[p + 4..]),
        None => match memmem::find(raw, b"\n\n") {
            Some(p) => (&raw[..p], &raw[p + 2..]),
            None => return None,
        },
    };
    let data = data
        .strip_suffix(b"\r\n")
        .or_else(|| data.strip_suffix(b"\n"))
        .unwrap_or(data);
    let head = String::from_utf8_lossy(head);
    let mut name = Vec::new();
    let mut filename = None;
    for line in head.lines() {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("content-disposition:") {
            name = param(line, "name").unwrap_or_default();
            filename = param(line, "filename");
        }
    }
    Some(Part {
        name,
        filename,
        data: data.to_vec(),
    })
}

/// A `key="value"` (or unquoted) parameter of a header line; `name` does not match `filename`.
fn param(line: &str, key: &str) -> Option<Vec<u8>> {
    let lower = line.to_ascii_lowercase();
    let needle = format!("{key}=");
    let mut from = 0;
    while let Some(rel) = lower[from..].find(&needle) {
        let at = from + rel;
        let boundary_ok = at == 0 || matches!(lower.as_bytes()[at - 1], b' ' | b';' | b'\t');
        if boundary_ok {
            let rest = &line[at + needle.len()..];
            let v = match rest.strip_prefix('"') {
                Some(q) => q.split('"').next().unwrap_or(""),
                None => rest.split(';').next().unwrap_or("").trim(),
            };
            return Some(v.as_bytes().to_vec());
        }
        from = at + needle.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts() {
        let ct = "multipart/form-data; boundary=\"XyZ\"";
        let b = boundary(ct).expect("boundary present");
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.php\"\r\nContent-Type: text/plain\r\n\r\n<?php ?>\r\n--XyZ--\r\n";
        let ps = parts(body, &b);
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].name, b"a");
        assert_eq!(ps[0].data, b"v1");
        assert_eq!(ps[1].filename.as_deref(), Some(&b"x.php"[..]));
        assert_eq!(ps[1].data, b"<?php ?>");
    }
}
