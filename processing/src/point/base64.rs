//! Base64 values and JWTs. Decoding every alphanumeric token would flood detectors with noise,
//! so a value is decoded only when it is plausibly base64 and decodes to mostly printable text.

use ::base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ::base64::Engine as _;

/// Minimum length: shorter tokens are usually words or ids, and hold no useful payload.
const MIN_LEN: usize = 12;

fn printable(b: &[u8]) -> bool {
    let text = b
        .iter()
        .filter(|&&c| {
            c == b'\t' || c == b'\n' || c == b'\r' || (0x20..0x7f).contains(&c) || c >= 0x80
        })
        .count();
    !b.is_empty() && text * 100 >= b.len() * 95 && std::str::from_utf8(b).is_ok()
}

/// Decoded bytes when `s` is plausibly base64 (standard or URL-safe) of printable text.
pub fn plausible(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.len() < MIN_LEN || s.len() % 4 == 1 {
        return None;
    }
    let body = s.trim_end_matches('=');
    if s.len() - body.len() > 2
        || !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
    {
        return None;
    }
    // Plain words and hex ids are base64-alphabet too; require a mix of classes.
    let upper = body.bytes().any(|b| b.is_ascii_uppercase());
    let lower = body.bytes().any(|b| b.is_ascii_lowercase());
    if !(upper && lower) {
        return None;
    }
    let normalized: String = body
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let padded = format!("{normalized}{}", "=".repeat((4 - normalized.len() % 4) % 4));
    STANDARD.decode(padded).ok().filter(|d| printable(d))
}

/// `(header, payload)` JSON bytes of a JWT (`eyJ….eyJ….sig`).
pub fn jwt(s: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let s = s.trim();
    let s = s
        .strip_prefix("Bearer ")
        .or_else(|| s.strip_prefix("bearer "))
        .unwrap_or(s);
    let mut parts = s.split('.');
    let (h, p) = (parts.next()?, parts.next()?);
    if !h.starts_with("eyJ") || parts.next().is_none() {
        return None;
    }
    let header = URL_SAFE_NO_PAD.decode(h.trim_end_matches('=')).ok()?;
    let payload = URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok()?;
    Some((header, payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_only_plausible_base64() {
        assert_eq!(
            plausible("Li4vLi4vZXRjL3Bhc3N3ZA==").as_deref(),
            Some(&b"../../etc/passwd"[..])
        );
        assert!(plausible("administrator").is_none());
        assert!(plausible("0123456789abcdef0123").is_none());
        assert!(plausible("short").is_none());
    }

    #[test]
    fn splits_jwt() {
        let t = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig";
        let (h, p) = jwt(t).expect("valid jwt");
        assert_eq!(h, br#"{"alg":"HS256"}"#);
        assert_eq!(p, br#"{"sub":"1"}"#);
        assert!(jwt("a.b.c").is_none());
    }
}
