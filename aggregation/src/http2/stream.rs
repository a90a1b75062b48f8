//! One HTTP/2 stream: a request and its response built from header blocks and DATA (RFC 9113 §8.1).

use std::borrow::Cow;
use std::net::SocketAddr;

use crate::exchange::{Exchange, Protocol, Request, Response, PREFIX};

use super::hpack::{Class, Fields, Observe};

pub(crate) struct Stream {
    pub id: u32,
    /// Opening order on the connection (the stream list is unordered, see `Streams::streams`).
    pub seq: u64,
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
    pub(crate) fn new(id: u32, seq: u64) -> Self {
        Self {
            id,
            seq,
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

    /// The exchange, taken out of the stream (its box is then reused).
    pub(crate) fn take_exchange(&mut self, proxied_client: Option<SocketAddr>) -> Exchange {
        Exchange {
            protocol: Protocol::Http2,
            request: self.request.take().unwrap_or_default(),
            response: self.response.take(),
            proxied_client,
            incomplete_context: self.incomplete,
        }
    }
}

/// Body bytes reserved up front from a declared `content-length`: enough for typical API and page
/// bodies in one allocation, while a stream that declares much and sends nothing holds little (up to
/// [`super::MAX_STREAMS`] streams may be open).
const RESERVE_MAX: usize = 16 * 1024;

/// What a message is built from (RFC 9113 §8.3), learnt while the HPACK decoder appends its
/// fields ([`Observe`]), or by one pass over a list decoded elsewhere ([`Notes::sift`]). The
/// pseudo-fields that become the request line or the status (`:method`, `:path`; `:status`) are
/// taken instead of kept: never written to the list, so nothing has to be removed from it
/// afterwards (a move of the fields behind them, issue 5). Other spans are of the list's buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Notes {
    /// Whose fields: a response's (`:status` taken) or a request's (`:method`, `:path` taken).
    response: bool,
    /// A later field of the same name wins, as the former filter's assignments did.
    method: Option<Cow<'static, str>>,
    path: Option<String>,
    /// Last `:status`, parsed (0: not three digits).
    status: Option<u16>,
    /// The first `:status` (interim responses are recognised by it).
    first_status: Option<u16>,
    authority: Option<Span>,
    content_length: Option<Span>,
    /// Requests: whether gRPC is decided by the first `content-type`; responses by the last.
    first_content_type: Option<Span>,
    content_type: Option<Span>,
    has_host: bool,
}

type Span = (usize, usize);

impl Observe for Notes {
    #[inline]
    fn takes(&self, class: Class) -> bool {
        match class {
            Class::Method | Class::Path => !self.response,
            Class::Status => self.response,
            _ => false,
        }
    }

    #[inline]
    fn took(&mut self, class: Class, value: &[u8]) {
        match class {
            Class::Method => self.method = Some(crate::exchange::method(value)),
            Class::Path => self.path = Some(into_string(value)),
            Class::Status => {
                let status = parse_status(value);
                self.first_status.get_or_insert(status);
                self.status = Some(status);
            }
            _ => {}
        }
    }

    #[inline]
    fn took_str(&mut self, class: Class, value: &str) {
        match class {
            Class::Path => self.path = Some(value.to_owned()),
            _ => self.took(class, value.as_bytes()),
        }
    }

    #[inline]
    fn field(&mut self, class: Class, at: usize, name_len: usize, end: usize) {
        // Most fields are none of those noted: one predictable branch for them rather than a jump
        // table that mispredicts field after field (issue 5).
        if class == Class::Other {
            return;
        }
        let value = (at + PREFIX + name_len, end);
        match class {
            Class::Authority => self.authority = Some(value),
            Class::Host => self.has_host = true,
            Class::ContentLength => self.content_length = Some(value),
            Class::ContentType => {
                self.first_content_type.get_or_insert(value);
                self.content_type = Some(value);
            }
            // Taken, or (the other side's pseudo-fields) kept as they are.
            Class::Other | Class::Method | Class::Path | Class::Status => {}
        }
    }
}

/// What a block appended to a message's list (trailers) is checked for: its first `:status`
/// (interim responses) and its first `content-type` (gRPC), as value spans of the list.
#[derive(Default)]
pub(crate) struct TrailerNotes {
    status: Option<Span>,
    content_type: Option<Span>,
}

impl Observe for TrailerNotes {
    #[inline]
    fn field(&mut self, class: Class, at: usize, name_len: usize, end: usize) {
        let value = (at + PREFIX + name_len, end);
        match class {
            Class::Status => _ = self.status.get_or_insert(value),
            Class::ContentType => _ = self.content_type.get_or_insert(value),
            _ => {}
        }
    }
}

impl TrailerNotes {
    pub(crate) fn first_status(&self, list: &Fields) -> Option<u16> {
        self.status.map(|v| list.slice(v).map_or(0, parse_status))
    }

    /// Whether the first `content-type` is gRPC's (`None`: the block has none).
    pub(crate) fn grpc(&self, list: &Fields) -> Option<bool> {
        self.content_type
            .map(|v| list.slice(v).is_some_and(is_grpc))
    }
}

impl Notes {
    /// Notes for the request's fields.
    pub(crate) fn request() -> Self {
        Self::default()
    }

    /// Notes for the response's fields.
    pub(crate) fn response() -> Self {
        Self {
            response: true,
            ..Self::default()
        }
    }

    /// The fields of a list decoded elsewhere, as the decoder would have given them: taken or
    /// copied into a new list (with room for `extra` more bytes).
    pub(crate) fn sift(&mut self, fields: &Fields, extra: usize) -> Fields {
        let mut list = Fields::with_capacity(0, fields.end() + extra);
        for (name, value) in fields {
            let class = Class::of(name);
            if self.takes(class) {
                self.took(class, value);
            } else {
                let at = list.end();
                list.push(name, value);
                self.field(class, at, name.len(), list.end());
            }
        }
        list
    }

    /// The first `:status` of the block (`None`: the block has none; 0: not three digits).
    pub(crate) fn first_status(&self) -> Option<u16> {
        self.first_status
    }
}

fn is_grpc(v: &[u8]) -> bool {
    v.starts_with(b"application/grpc")
}

/// Builds a request from a decoded header block (RFC 9113 §8.3.1). `:method` and `:path` (taken
/// by `n`) become the request line; other pseudo-fields stay in the list; `:authority` also
/// yields a `host` field when the block has none, so HTTP/1 and HTTP/2 requests look alike to
/// detection (§8.3.1 equates them). `list` becomes the request's header list as it is (the HPACK
/// decoder wrote the block straight into it, see `Sink::block_done`).
/// Also returns whether the first `content-type` is gRPC's (`None`: the block has none).
pub(crate) fn request_in(list: Fields, n: Notes, max_body: usize) -> (Request, Option<bool>) {
    let mut req = Request::default();
    let grpc = request_into(&mut req, list, n, max_body);
    (req, grpc)
}

/// [`request_in`] into a request where it will stay (the stream's slot): filled in place, not
/// built and then moved there (the request is 136 bytes, issue 5). `req` is expected as
/// `Request::default()` leaves it.
pub(crate) fn request_into(
    req: &mut Request,
    mut list: Fields,
    n: Notes,
    max_body: usize,
) -> Option<bool> {
    req.method = n.method.unwrap_or_default();
    req.uri = n.path.unwrap_or_default();
    req.version = "HTTP/2";
    let grpc = n
        .first_content_type
        .map(|v| list.slice(v).is_some_and(is_grpc));
    if let Some(a) = n.authority {
        if req.uri.is_empty() && req.method == "CONNECT" {
            req.uri = list.slice(a).map(into_string).unwrap_or_default();
        }
        if !n.has_host {
            list.push_from_within(b"host", a.0..a.1);
        }
    }
    // After the last field: the body follows it.
    reserve_body(&mut list, n.content_length, max_body, 0);
    req.headers = list;
    grpc
}

/// [`request_in`] for a list decoded elsewhere (the connection's scratch list): copied once, into
/// storage with room for the `host` field.
pub(crate) fn request_from(fields: &Fields, max_body: usize) -> (Request, Option<bool>) {
    let host = fields
        .find(b":authority")
        .filter(|_| fields.find(b"host").is_none())
        .map_or(0, |a| PREFIX + b"host".len() + a.len());
    let mut n = Notes::request();
    let list = n.sift(fields, host);
    request_in(list, n, max_body)
}

/// A response from a decoded header block: `:status` (taken by `n`), and the other fields.
pub(crate) fn response_in(list: Fields, n: Notes, max_body: usize) -> Response {
    let mut resp = Response::default();
    response_into(&mut resp, list, n, max_body);
    resp
}

/// [`response_in`] into the response's slot, in place (see [`request_into`]). A gRPC response
/// ends with a trailers block (`grpc-status`, usually `grpc-message`; gRPC over HTTP/2 spec,
/// "Responses"): room for them now saves regrowing the list when they come.
pub(crate) fn response_into(resp: &mut Response, mut list: Fields, n: Notes, max_body: usize) {
    resp.status = n.status.unwrap_or(0);
    let grpc = n
        .content_type
        .and_then(|v| list.slice(v))
        .is_some_and(is_grpc);
    // The body and the trailers after it in one reservation.
    let trailers = if grpc {
        GRPC_TRAILER_FIELDS * PREFIX + GRPC_TRAILER_BYTES
    } else {
        0
    };
    reserve_body(&mut list, n.content_length, max_body, trailers);
    resp.version = "HTTP/2";
    resp.headers = list;
}

/// Room kept in a gRPC response's list for its trailers (see [`response_into`]).
pub(crate) const GRPC_TRAILER_FIELDS: usize = 2;
pub(crate) const GRPC_TRAILER_BYTES: usize = 48;

/// [`response_in`] for a list decoded elsewhere: copied once.
pub(crate) fn response_from(fields: &Fields, max_body: usize) -> Response {
    let mut n = Notes::response();
    let list = n.sift(fields, GRPC_TRAILER_FIELDS * PREFIX + GRPC_TRAILER_BYTES);
    response_in(list, n, max_body)
}

/// Room in `list` for the body its Content-Length (the value at `declared`; RFC 9113 §8.1.1 allows
/// it) announces, instead of regrowing per DATA frame, and `extra` bytes more.
fn reserve_body(
    list: &mut Fields,
    declared: Option<(usize, usize)>,
    max_body: usize,
    extra: usize,
) {
    let len = declared
        .and_then(|v| list.slice(v))
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(0, |len| len.min(max_body).min(RESERVE_MAX));
    if len + extra > 0 {
        list.reserve_body(len + extra);
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Body room a declared length asks for (what `reserve_body` reserves).
    fn declared_room(declared: Option<&[u8]>, max_body: usize) -> usize {
        declared
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.parse::<usize>().ok())
            .map_or(0, |l| l.min(max_body).min(RESERVE_MAX))
    }

    /// Room after the fields: what the body can take without regrowing the list.
    fn body_room(h: &Fields) -> usize {
        h.heap_bytes() - h.end()
    }

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
        let room = declared_room(declared, max_body);
        req.headers.reserve_body(room);
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

    /// Static-table index of a name used by [`field`] (RFC 7541 Appendix A), for the encoder below.
    fn static_name(n: &str) -> Option<u64> {
        Some(match n {
            ":authority" => 1,
            ":method" => 2,
            ":path" => 4,
            ":scheme" => 6,
            ":status" => 8,
            "content-length" => 28,
            "content-type" => 31,
            "host" => 38,
            _ => return None,
        })
    }

    /// Encodes `list` as one block, each field in the representation `modes` picks: indexed
    /// (dynamic, when an earlier block inserted it), literal with incremental indexing (name
    /// indexed or literal, Huffman), literal without indexing (raw, or Huffman: how encoders send
    /// `:path`, which the decoder remembers when it repeats).
    fn encode_block(
        list: &[(&str, &str)],
        modes: &[u8],
        mirror: &mut Vec<(String, String)>,
    ) -> Vec<u8> {
        use crate::http2::hpack::encode;
        let mut b = Vec::new();
        for (i, (n, v)) in list.iter().enumerate() {
            let mode = modes.get(i).copied().unwrap_or(0) % 4;
            let known = mirror.iter().position(|(mn, mv)| mn == n && mv == v);
            match (mode, known) {
                (0, Some(pos)) => encode::integer(&mut b, 0x80, 7, 62 + pos as u64),
                _ => {
                    // Incremental indexing (modes 0, 1: Huffman) or none (2: raw, 3: Huffman).
                    let indexed = mode < 2;
                    let (flags, prefix, huffman) = if indexed {
                        (0x40, 6, true)
                    } else {
                        (0, 4, mode == 3)
                    };
                    match static_name(n) {
                        Some(si) => encode::integer(&mut b, flags, prefix, si),
                        None => {
                            b.push(flags);
                            encode::string(&mut b, n.as_bytes(), huffman);
                        }
                    }
                    encode::string(&mut b, v.as_bytes(), huffman);
                    if indexed {
                        mirror.insert(0, (n.to_string(), v.to_string()));
                    }
                }
            }
        }
        b
    }

    proptest! {
        /// Any field list, repeated pseudo-fields included, builds the same request and response
        /// as before.
        #[test]
        fn one_scan_builds_what_the_filter_built(list in prop::collection::vec(field(), 0..12)) {
            let fields: Fields = list.iter().copied().collect();
            let (req, grpc) = request_from(&fields, 1 << 20);
            let (want, want_grpc) = request_before(&fields, 1 << 20);
            prop_assert_eq!(&req, &want);
            // Room for a declared body, in the one list.
            let last = fields.iter().filter(|(n, _)| *n == b"content-length").last();
            let room = declared_room(last.map(|(_, v)| v), 1 << 20);
            prop_assert!(body_room(&req.headers) >= room);
            prop_assert!(body_room(&want.headers) >= room);
            prop_assert_eq!(grpc, want_grpc);
            let resp = response_from(&fields, 1 << 20);
            let last_status = fields.iter().filter(|(n, _)| *n == b":status").last();
            prop_assert_eq!(resp.status, last_status.map_or(0, |(_, v)| parse_status(v)));
            prop_assert_eq!(resp.headers, fields.filtered(|n| n != b":status", 0, 0));
            let mut n = Notes::response();
            n.sift(&fields, 0);
            prop_assert_eq!(n.first_status(), fields.find(b":status").map(parse_status));
        }

        /// Blocks decoded straight into a message's list, noting fields as they are appended and
        /// taking the pseudo-fields the message is built from (indexed static and dynamic
        /// entries, literals with indexed and literal names, lists cut by the size limit), give
        /// what sifting the plainly decoded list gives, and build the same request and response
        /// as the former filter.
        #[test]
        fn observed_decoding_gives_what_sifting_gives(
            blocks in prop::collection::vec(
                (prop::collection::vec(field(), 0..10), prop::collection::vec(any::<u8>(), 10)),
                1..6,
            ),
            max_list in prop_oneof![Just(1usize << 20), 0usize..80],
            room in 0usize..64,
        ) {
            let mut mirror = Vec::new();
            let mut requests = crate::http2::hpack::Decoder::new(true);
            let mut responses = crate::http2::hpack::Decoder::new(true);
            let mut plain = crate::http2::hpack::Decoder::new(true);
            for (list, modes) in &blocks {
                let block = encode_block(list, modes, &mut mirror);
                let mut want_fields = Fields::new();
                let want = plain.decode(&block, max_list, &mut want_fields);
                for response in [false, true] {
                    let new_notes = || if response { Notes::response() } else { Notes::request() };
                    let mut fields = Fields::with_capacity(0, room);
                    let mut notes = new_notes();
                    let decoder = if response { &mut responses } else { &mut requests };
                    let got = decoder.decode_observed(&block, max_list, &mut fields, &mut notes);
                    prop_assert_eq!(got, want);
                    let mut sifted = new_notes();
                    prop_assert_eq!(&fields, &sifted.sift(&want_fields, 0));
                    prop_assert_eq!(&notes, &sifted);
                    if response {
                        prop_assert_eq!(
                            response_in(fields, notes, 1 << 20),
                            response_from(&want_fields, 1 << 20)
                        );
                    } else {
                        let (req, grpc) = request_in(fields, notes, 1 << 20);
                        let (want_req, want_grpc) = request_before(&want_fields, 1 << 20);
                        prop_assert_eq!(&req, &want_req);
                        prop_assert_eq!(grpc, want_grpc);
                    }
                }
            }
        }
    }
}
