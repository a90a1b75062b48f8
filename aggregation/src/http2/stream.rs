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

/// Builds a request from a decoded header block (RFC 9113 §8.3.1). `:method` and `:path` become the
/// request line; other pseudo-fields stay in the list; `:authority` also yields a `host` field when the
/// block has none, so HTTP/1 and HTTP/2 requests look alike to detection (§8.3.1 equates them).
/// The decoded list is reused as the header list (no copy).
pub(crate) fn request_from(mut fields: Fields) -> Request {
    let mut req = Request {
        version: "HTTP/2".to_owned(),
        ..Request::default()
    };
    let mut authority = None;
    let mut has_host = false;
    fields.retain_mut(|(name, value)| match name.as_slice() {
        b":method" => {
            req.method = into_string(std::mem::take(value));
            false
        }
        b":path" => {
            req.uri = into_string(std::mem::take(value));
            false
        }
        b":authority" => {
            authority = Some(value.clone());
            true
        }
        b"host" => {
            has_host = true;
            true
        }
        _ => true,
    });
    if let Some(a) = authority {
        if req.uri.is_empty() && req.method == "CONNECT" {
            req.uri = String::from_utf8_lossy(&a).into_owned();
        }
        if !has_host {
            fields.push((b"host".to_vec(), a));
        }
    }
    req.headers = fields;
    req
}

/// `:status` of a response block, and the fields without it.
pub(crate) fn response_from(mut fields: Fields) -> Response {
    let mut resp = Response {
        version: "HTTP/2".to_owned(),
        ..Response::default()
    };
    fields.retain(|(name, value)| {
        if name == b":status" {
            resp.status = parse_status(value);
            false
        } else {
            true
        }
    });
    resp.headers = fields;
    resp
}

fn into_string(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
