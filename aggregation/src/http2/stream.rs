//! One HTTP/2 stream: a request and its response built from header blocks and DATA (RFC 9113 §8.1).

use crate::exchange::{Exchange, Protocol, Request, Response};

use super::hpack::Fields;

pub(crate) struct Stream {
    pub id: u32,
    pub request: Option<Request>,
    pub req_done: bool,
    pub response: Option<Response>,
    pub resp_done: bool,
    /// Something of this stream is unknown (placeholders, lost bytes, joined mid-stream).
    pub incomplete: bool,
    /// Bytes of the request / response body were lost: stop keeping (what follows is not contiguous).
    pub req_lossy: bool,
    pub resp_lossy: bool,
    /// The request's first `content-type` is gRPC's (`None`: no `content-type` seen yet).
    pub grpc: Option<bool>,
}

impl Stream {
    pub(crate) fn new(id: u32) -> Self {
        Self {
            id,
            request: None,
            req_done: false,
            response: None,
            resp_done: false,
            incomplete: false,
            req_lossy: false,
            resp_lossy: false,
            grpc: None,
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.req_done && self.resp_done
    }

    pub(crate) fn into_exchange(self) -> Exchange {
        Exchange {
            protocol: Protocol::Http2,
            request: self.request.unwrap_or_default(),
            response: self.response,
            proxied_client: None,
            incomplete_context: self.incomplete,
        }
    }
}

/// Body bytes reserved up front from a declared `content-length`: enough for typical API and page
/// bodies in one allocation, while a stream that declares much and sends nothing holds little (up to
/// [`super::MAX_STREAMS`] streams may be open).
const RESERVE_MAX: usize = 16 * 1024;

/// Dropped fields whose spans are remembered while scanning a block; a block that drops more (a
/// repeated pseudo-field, malformed per RFC 9113 §8.3) is copied through the general filter.
const DROP_MAX: usize = 4;

/// Builds a request from a decoded header block (RFC 9113 §8.3.1). `:method` and `:path` become the
/// request line; other pseudo-fields stay in the list; `:authority` also yields a `host` field when the
/// block has none, so HTTP/1 and HTTP/2 requests look alike to detection (§8.3.1 equates them).
/// The list is copied once into exactly sized storage (`fields` is the connection's scratch list),
/// from one scan that finds everything (pseudo-fields come first, so the copy is one or two runs).
/// Also returns whether the first `content-type` is gRPC's (`None`: the block has none).
pub(crate) fn request_from(fields: &Fields, max_body: usize) -> (Request, Option<bool>) {
    let (mut method, mut path, mut authority) = (None, None, None);
    let mut has_host = false;
    let mut declared = None;
    let mut grpc = None;
    let mut drop = [(0, 0); DROP_MAX];
    let mut dropped = 0;
    for (span, name, value) in fields.fields_at() {
        let is_drop = match name {
            b":method" => {
                method = Some(value);
                true
            }
            b":path" => {
                path = Some(value);
                true
            }
            b":authority" => {
                authority = Some(value);
                false
            }
            b"host" => {
                has_host = true;
                false
            }
            b"content-length" => {
                declared = Some(value);
                false
            }
            b"content-type" => {
                grpc.get_or_insert(value.starts_with(b"application/grpc"));
                false
            }
            _ => false,
        };
        if is_drop {
            if let Some(d) = drop.get_mut(dropped) {
                *d = span;
            }
            dropped += 1;
        }
    }
    let mut req = Request {
        method: method.map(crate::exchange::method).unwrap_or_default(),
        uri: path.map(into_string).unwrap_or_default(),
        version: "HTTP/2",
        ..Request::default()
    };
    let add_host = authority.filter(|_| !has_host);
    let (extra_fields, extra_bytes) = add_host.map_or((0, 0), |a| (1, b"host".len() + a.len()));
    req.headers = match drop.get(..dropped) {
        Some(drop) => fields.without(drop, extra_fields, extra_bytes),
        None => fields.filtered(
            |n| n != b":method" && n != b":path",
            extra_fields,
            extra_bytes,
        ),
    };
    if let Some(a) = add_host {
        req.headers.push(b"host", a);
    }
    if let Some(a) = authority {
        if req.uri.is_empty() && req.method == "CONNECT" {
            req.uri = into_string(a);
        }
    }
    reserve_body(&mut req.body, declared, max_body);
    (req, grpc)
}

/// `:status` of a response block, and the fields without it.
pub(crate) fn response_from(fields: &Fields, max_body: usize) -> Response {
    let mut status = None;
    let mut declared = None;
    let mut grpc = false;
    let mut drop = [(0, 0); DROP_MAX];
    let mut dropped = 0;
    for (span, name, value) in fields.fields_at() {
        match name {
            b":status" => {
                status = Some(value);
                if let Some(d) = drop.get_mut(dropped) {
                    *d = span;
                }
                dropped += 1;
            }
            b"content-length" => declared = Some(value),
            b"content-type" => grpc = value.starts_with(b"application/grpc"),
            _ => {}
        }
    }
    // gRPC ends every response with a trailers block (`grpc-status`, usually `grpc-message`; gRPC
    // over HTTP/2 spec, "Responses"): room for them now saves regrowing the list when they come.
    let (trailer_fields, trailer_bytes) = if grpc { (2, 48) } else { (0, 0) };
    let mut resp = Response {
        status: status.map_or(0, parse_status),
        version: "HTTP/2",
        headers: match drop.get(..dropped) {
            Some(drop) => fields.without(drop, trailer_fields, trailer_bytes),
            None => fields.filtered(|n| n != b":status", trailer_fields, trailer_bytes),
        },
        ..Response::default()
    };
    reserve_body(&mut resp.body, declared, max_body);
    resp
}

/// One allocation for a body whose length is declared (RFC 9113 §8.1.1 allows `content-length`),
/// instead of regrowing per DATA frame.
fn reserve_body(body: &mut Vec<u8>, declared: Option<&[u8]>, max_body: usize) {
    let len = declared
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(len) = len {
        body.reserve_exact(len.min(max_body).min(RESERVE_MAX));
    }
}

fn into_string(v: &[u8]) -> String {
    match std::str::from_utf8(v) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(v).into_owned(),
    }
}

/// Three digits, else 0 (unknown, e.g. a placeholder from a lost HPACK entry).
pub(crate) fn parse_status(v: &[u8]) -> u16 {
    match v {
        [a, b, c] if v.iter().all(u8::is_ascii_digit) => {
            u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0')
        }
        _ => 0,
    }
}

/// Appends body bytes up to `max`; returns bytes dropped.
pub(crate) fn push_body(
    body: &mut Vec<u8>,
    len: &mut u64,
    truncated: &mut bool,
    max: usize,
    data: &[u8],
) -> u64 {
    *len += data.len() as u64;
    let room = max.saturating_sub(body.len());
    if data.len() <= room {
        body.extend_from_slice(data);
        0
    } else {
        body.extend_from_slice(&data[..room]);
        *truncated = true;
        (data.len() - room) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The two-pass construction these functions replaced (filter by name, last value wins).
    fn request_before(fields: &Fields, max_body: usize) -> (Request, Option<bool>) {
        let mut req = Request {
            version: "HTTP/2",
            ..Request::default()
        };
        let (mut authority, mut has_host, mut declared) = (None, false, None);
        for (name, value) in fields {
            match name {
                b":method" => req.method = crate::exchange::method(value),
                b":path" => req.uri = into_string(value),
                b":authority" => authority = Some(value),
                b"host" => has_host = true,
                b"content-length" => declared = Some(value),
                _ => {}
            }
        }
        let add_host = authority.filter(|_| !has_host);
        req.headers = fields.filtered(|n| n != b":method" && n != b":path", 0, 0);
        if let Some(a) = add_host {
            req.headers.push(b"host", a);
        }
        if let Some(a) = authority {
            if req.uri.is_empty() && req.method == "CONNECT" {
                req.uri = into_string(a);
            }
        }
        reserve_body(&mut req.body, declared, max_body);
        let grpc = req
            .headers
            .find(b"content-type")
            .map(|v| v.starts_with(b"application/grpc"));
        (req, grpc)
    }

    fn field() -> impl Strategy<Value = (&'static str, &'static str)> {
        (
            prop::sample::select(vec![
                ":method",
                ":path",
                ":authority",
                ":scheme",
                ":status",
                "host",
                "content-length",
                "content-type",
                "x",
            ]),
            prop::sample::select(vec![
                "",
                "GET",
                "/a?b",
                "12",
                "application/grpc+proto",
                "é\u{0}",
            ]),
        )
    }

    proptest! {
        /// Any field list, repeated pseudo-fields included (beyond the spans remembered), builds
        /// the same request and response as before.
        #[test]
        fn one_scan_builds_what_the_filter_built(list in prop::collection::vec(field(), 0..12)) {
            let fields: Fields = list.iter().copied().collect();
            let (req, grpc) = request_from(&fields, 1 << 20);
            let (want, want_grpc) = request_before(&fields, 1 << 20);
            prop_assert_eq!(&req, &want);
            prop_assert_eq!(req.body.capacity(), want.body.capacity());
            prop_assert_eq!(grpc, want_grpc);
            let resp = response_from(&fields, 1 << 20);
            let last_status = fields.iter().filter(|(n, _)| *n == b":status").last();
            prop_assert_eq!(resp.status, last_status.map_or(0, |(_, v)| parse_status(v)));
            prop_assert_eq!(resp.headers, fields.filtered(|n| n != b":status", 0, 0));
        }
    }
}
