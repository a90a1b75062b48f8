//! Message heads through httparse, plus what the framing needs from the header fields.
//!
//! httparse parses one head from a contiguous slice and says `Partial` when it needs more, which is
//! exactly the "need more is a state" contract (STYLE.md); it is tolerant where a passive observer has
//! to be (obsolete line folding and spaces before ':' in responses; invalid header lines in requests are
//! skipped rather than losing the whole request).

use std::mem::MaybeUninit;

use crate::exchange::{Headers, Request, Response};

/// Header fields as the exchange model holds them.
pub(crate) type Fields = Headers;

/// Header slots tried on the stack first; a head with more fields is re-parsed with
/// [`MAX_HEADERS`] heap slots. 64 covers browsers and API clients (typically 10–25 fields).
const STACK_HEADERS: usize = 64;
/// Upper bound on fields in one head. `max_header_bytes` bounds bytes; this bounds slot memory
/// (a field needs at least 4 bytes "a:\r\n", so 64 KiB of head could declare 16 Ki of them).
const MAX_HEADERS: usize = 1024;

/// Outcome of parsing a head at the start of a slice.
pub(crate) enum Parsed<T> {
    /// The head and its length in bytes.
    Complete(T, usize),
    /// Not enough bytes yet.
    Partial,
    /// Not a valid head (counted, then the side resyncs).
    Invalid,
}

/// What the body framing and pairing need to know from a head's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FramingFields {
    /// `Content-Length`; `Err(())` when present but invalid or conflicting (RFC 9112 §6.3 rule 5).
    pub content_length: Option<Result<u64, ()>>,
    /// A `Transfer-Encoding` is present.
    pub transfer_encoding: bool,
    /// The final transfer coding is `chunked` (RFC 9112 §6.3 rules 3–4).
    pub chunked: bool,
    /// `Connection: upgrade` together with an `Upgrade` field (RFC 9110 §7.8).
    pub upgrade: Option<UpgradeKind>,
    /// `Expect: 100-continue` (RFC 9110 §10.1.1): the client may never send the body.
    pub expect_continue: bool,
}

/// Which protocol an `Upgrade` asked for; h2c is followed into HTTP/2, anything else stops parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UpgradeKind {
    H2c,
    Other,
}

fn config() -> httparse::ParserConfig {
    let mut c = httparse::ParserConfig::default();
    c.allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_request_line_delimiters(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .ignore_invalid_headers_in_requests(true)
        .ignore_invalid_headers_in_responses(true);
    c
}

/// Parses a request head at the start of `data`; its list gets room for up to `body_room` bytes
/// of the body its Content-Length declares.
pub(crate) fn parse_request(data: &[u8], body_room: usize) -> Parsed<(Request, FramingFields)> {
    // Uninitialised slots: httparse writes only the ones it fills (saves a 2 KiB memset per head).
    let mut stack = [const { MaybeUninit::uninit() }; STACK_HEADERS];
    match parse_request_with(data, &mut stack, body_room) {
        Err(httparse::Error::TooManyHeaders) => {
            let mut heap: Vec<_> = (0..MAX_HEADERS).map(|_| MaybeUninit::uninit()).collect();
            parse_request_with(data, &mut heap, body_room).unwrap_or(Parsed::Invalid)
        }
        Err(_) => Parsed::Invalid,
        Ok(p) => p,
    }
}

fn parse_request_with<'b>(
    data: &'b [u8],
    slots: &mut [MaybeUninit<httparse::Header<'b>>],
    body_room: usize,
) -> Result<Parsed<(Request, FramingFields)>, httparse::Error> {
    let mut req = httparse::Request::new(&mut []);
    let n = match config().parse_request_with_uninit_headers(&mut req, data, slots)? {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => return Ok(Parsed::Partial),
    };
    let (Some(method), Some(path), Some(version)) = (req.method, req.path, req.version) else {
        return Ok(Parsed::Invalid);
    };
    let (headers, framing) = collect(req.headers, body_room);
    let request = Request {
        method: crate::exchange::method(method.as_bytes()),
        uri: path.to_owned(),
        version: version_str(version),
        headers,
        ..Request::default()
    };
    Ok(Parsed::Complete((request, framing), n))
}

/// Parses a response head at the start of `data` (`body_room` as for [`parse_request`]).
pub(crate) fn parse_response(data: &[u8], body_room: usize) -> Parsed<(Response, FramingFields)> {
    let mut stack = [const { MaybeUninit::uninit() }; STACK_HEADERS];
    match parse_response_with(data, &mut stack, body_room) {
        Err(httparse::Error::TooManyHeaders) => {
            let mut heap: Vec<_> = (0..MAX_HEADERS).map(|_| MaybeUninit::uninit()).collect();
            parse_response_with(data, &mut heap, body_room).unwrap_or(Parsed::Invalid)
        }
        Err(_) => Parsed::Invalid,
        Ok(p) => p,
    }
}

fn parse_response_with<'b>(
    data: &'b [u8],
    slots: &mut [MaybeUninit<httparse::Header<'b>>],
    body_room: usize,
) -> Result<Parsed<(Response, FramingFields)>, httparse::Error> {
    let mut resp = httparse::Response::new(&mut []);
    let n = match config().parse_response_with_uninit_headers(&mut resp, data, slots)? {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => return Ok(Parsed::Partial),
    };
    let (Some(code), Some(version)) = (resp.code, resp.version) else {
        return Ok(Parsed::Invalid);
    };
    let (headers, framing) = collect(resp.headers, body_room);
    let response = Response {
        status: code,
        version: version_str(version),
        headers,
        ..Response::default()
    };
    Ok(Parsed::Complete((response, framing), n))
}

/// Parses trailer fields after the last chunk (RFC 9112 §7.1.2): header lines up to an empty line.
pub(crate) fn parse_trailers(data: &[u8]) -> Parsed<Fields> {
    let mut slots = [httparse::EMPTY_HEADER; STACK_HEADERS];
    match httparse::parse_headers(data, &mut slots) {
        Ok(httparse::Status::Complete((n, fields))) => Parsed::Complete(collect(fields, 0).0, n),
        Ok(httparse::Status::Partial) => Parsed::Partial,
        Err(_) => Parsed::Invalid,
    }
}

fn version_str(minor: u8) -> &'static str {
    if minor == 0 {
        "HTTP/1.0"
    } else {
        "HTTP/1.1"
    }
}

/// Copies the fields out and extracts the framing-relevant ones in the same pass.
fn collect(fields: &[httparse::Header<'_>], body_room: usize) -> (Fields, FramingFields) {
    // Exactly sized: one allocation for the whole list and the body its first Content-Length
    // declares, up to `body_room` (the body follows the fields in the list).
    let mut declared = None;
    let bytes = fields
        .iter()
        .map(|h| {
            if declared.is_none()
                && h.name.len() == 14
                && h.name.eq_ignore_ascii_case("content-length")
            {
                declared = parse_content_length(h.value).ok();
            }
            h.name.len() + h.value.len()
        })
        .sum::<usize>();
    let body = declared.map_or(0, |len| {
        usize::try_from(len).map_or(body_room, |len| len.min(body_room))
    });
    let mut out = Headers::with_body_room(fields.len(), bytes, body);
    let mut f = FramingFields::default();
    let mut connection_upgrade = false;
    let mut upgrade = None;
    for h in fields {
        let name = h.name.as_bytes();
        // Only names of a few lengths matter for framing; the length check skips most fields cheaply.
        match name.len() {
            14 if name.eq_ignore_ascii_case(b"content-length") => {
                let v = parse_content_length(h.value);
                f.content_length = Some(match (f.content_length, v) {
                    // Repeated identical values are allowed; differing ones are an error (RFC 9112 §6.3).
                    (Some(Ok(prev)), Ok(v)) if prev != v => Err(()),
                    (Some(Err(())), _) => Err(()),
                    (_, v) => v,
                });
            }
            17 if name.eq_ignore_ascii_case(b"transfer-encoding") => {
                f.transfer_encoding = true;
                // The final coding decides (RFC 9112 §6.3 rule 4); codings may be split over fields.
                if let Some(last) = h.value.rsplit(|&b| b == b',').next() {
                    f.chunked = trim(last).eq_ignore_ascii_case(b"chunked");
                }
            }
            10 if name.eq_ignore_ascii_case(b"connection") => {
                connection_upgrade |= h
                    .value
                    .split(|&b| b == b',')
                    .any(|t| trim(t).eq_ignore_ascii_case(b"upgrade"));
            }
            6 if name.eq_ignore_ascii_case(b"expect") => {
                f.expect_continue |= trim(h.value).eq_ignore_ascii_case(b"100-continue");
            }
            7 if name.eq_ignore_ascii_case(b"upgrade") => {
                let first = h
                    .value
                    .split(|&b| b == b',')
                    .next()
                    .map(trim)
                    .unwrap_or(b"");
                upgrade = Some(if first.eq_ignore_ascii_case(b"h2c") {
                    UpgradeKind::H2c
                } else {
                    UpgradeKind::Other
                });
            }
            _ => {}
        }
        out.push(name, h.value);
    }
    if connection_upgrade {
        f.upgrade = upgrade;
    }
    (out, f)
}

/// A Content-Length value: digits only (a list of identical values is tolerated, RFC 9110 §8.6).
fn parse_content_length(v: &[u8]) -> Result<u64, ()> {
    let mut result: Option<u64> = None;
    for part in v.split(|&b| b == b',') {
        let part = trim(part);
        if part.is_empty() || part.len() > 19 || !part.iter().all(u8::is_ascii_digit) {
            return Err(());
        }
        // At most 19 digits: fits in u64 without overflow checks.
        let n = part
            .iter()
            .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
        match result {
            Some(prev) if prev != n => return Err(()),
            _ => result = Some(n),
        }
    }
    result.ok_or(())
}

pub(crate) fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_values() {
        assert_eq!(parse_content_length(b"42"), Ok(42));
        assert_eq!(parse_content_length(b" 7 , 7"), Ok(7));
        assert_eq!(parse_content_length(b"7, 8"), Err(()));
        assert_eq!(parse_content_length(b"-1"), Err(()));
        assert_eq!(parse_content_length(b""), Err(()));
        assert_eq!(parse_content_length(b"99999999999999999999"), Err(()));
    }

    #[test]
    fn framing_fields() {
        let Parsed::Complete((req, f), n) = parse_request(
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nConnection: keep-alive, Upgrade\r\nUpgrade: h2c\r\n\r\n",
            1 << 16,
        ) else {
            panic!("complete");
        };
        assert!(n > 90);
        assert_eq!(req.method, "POST");
        assert!(f.chunked && f.transfer_encoding);
        assert_eq!(f.upgrade, Some(UpgradeKind::H2c));
    }
}
