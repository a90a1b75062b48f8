//! Declared `Content-Encoding` bodies, inflated with an output cap (decode bombs).

use std::io::Read;

/// Inflated body when `encoding` names gzip or deflate and the data inflates; at most `cap`
/// bytes (a truncated stream yields what was decoded before the error).
pub fn inflate(encoding: &str, body: &[u8], cap: usize) -> Option<Vec<u8>> {
    let enc = encoding.trim().to_ascii_lowercase();
    let mut out = Vec::new();
    let limit = cap as u64;
    let res = match enc.as_str() {
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(body)
            .take(limit)
            .read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(body)
            .take(limit)
            .read_to_end(&mut out),
        _ => return None,
    };
    match res {
        Ok(_) => Some(out),
        Err(_) if !out.is_empty() => Some(out),
        Err(_) => None,
    }
}
