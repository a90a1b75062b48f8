//! One HTTP/2 stream: a request and its response built from header blocks and DATA (RFC 9113 §8.1).

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

/// Dropped fields whose spans are remembered per block; a block that drops more (a repeated
/// pseudo-field, malformed per RFC 9113 §8.3) is copied through the general filter.
const DROP_MAX: usize = 4;

/// Where the fields a message is built from sit in a decoded list (RFC 9113 §8.3): noted while
/// the HPACK decoder appends them ([`Observe`]), or by one scan ([`Notes::scan`]). Spans are of the
/// list's buffer; values are read only when the message is built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Notes {
    /// Value spans; a later field of the same name wins, as the former filter's assignments did.
    method: Option<Span>,
    path: Option<Span>,
    authority: Option<Span>,
    content_length: Option<Span>,
    status: Option<Span>,
    /// The first `:status` (interim responses are recognised by it).
    first_status: Option<Span>,
    /// Requests: whether gRPC is decided by the first `content-type`; responses by the last.
    first_content_type: Option<Span>,
    content_type: Option<Span>,
    has_host: bool,
    /// Whole-field spans dropped from a request (`:method`, `:path`) and from a response
    /// (`:status`); beyond [`DROP_MAX`] only counted (the general filter copies such a list).
    request_drop: Drops,
    status_drop: Drops,
}

type Span = (usize, usize);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Drops {
    spans: [Span; DROP_MAX],
    count: usize,
}

impl Drops {
    fn push(&mut self, span: Span) {
        if let Some(d) = self.spans.get_mut(self.count) {
            *d = span;
        }
        self.count += 1;
    }

    /// Removes the dropped fields from `list` in place, or with the general filter when more were
    /// dropped than remembered (a repeated pseudo-field, malformed per RFC 9113 §8.3), then
    /// appends `host` with the value at `host_from` (a span of the list before the removal).
    fn apply(&self, list: &mut Fields, keep: impl Fn(&[u8]) -> bool, host_from: Option<Span>) {
        match self.spans.get(..self.count) {
            Some(spans) => {
                list.remove(spans);
                if let Some((a, b)) = host_from {
                    // Where the value is now: the removed fields before it moved it down.
                    let shift: usize = spans.iter().filter(|d| d.1 <= a).map(|d| d.1 - d.0).sum();
                    list.push_from_within(b"host", a - shift..b - shift);
                }
            }
            None => {
                if let Some((a, b)) = host_from {
                    list.push_from_within(b"host", a..b);
                }
                *list = list.filtered(keep, 0, 0);
            }
        }
    }
}

impl Observe for Notes {
    #[inline]
    fn field(&mut self, class: Class, at: usize, name_len: usize, end: usize) {
        let value = (at + PREFIX + name_len, end);
        match class {
            Class::Other => {}
            Class::Method => {
                self.method = Some(value);
                self.request_drop.push((at, end));
            }
            Class::Path => {
                self.path = Some(value);
                self.request_drop.push((at, end));
            }
            Class::Authority => self.authority = Some(value),
            Class::Status => {
                self.first_status.get_or_insert(value);
                self.status = Some(value);
                self.status_drop.push((at, end));
            }
            Class::Host => self.has_host = true,
            Class::ContentLength => self.content_length = Some(value),
            Class::ContentType => {
                self.first_content_type.get_or_insert(value);
                self.content_type = Some(value);
            }
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
    /// Notes for a list decoded without an observer.
    pub(crate) fn scan(fields: &Fields) -> Self {
        let mut n = Notes::default();
        for ((at, end), name, _) in fields.fields_at() {
            n.field(Class::of(name), at, name.len(), end);
        }
        n
    }

    /// The first `:status` of the block, parsed (`None`: the block has none).
    pub(crate) fn first_status(&self, list: &Fields) -> Option<u16> {
        self.first_status
            .map(|v| list.slice(v).map_or(0, parse_status))
    }
}

fn is_grpc(v: &[u8]) -> bool {
    v.starts_with(b"application/grpc")
}

/// Builds a request from a decoded header block (RFC 9113 §8.3.1). `:method` and `:path` become the
/// request line; other pseudo-fields stay in the list; `:authority` also yields a `host` field when the
/// block has none, so HTTP/1 and HTTP/2 requests look alike to detection (§8.3.1 equates them).
/// `list` becomes the request's header list as it is: the dropped fields are removed in place (the
/// HPACK decoder wrote the block straight into it, see `Sink::block_done`).
/// Also returns whether the first `content-type` is gRPC's (`None`: the block has none).
pub(crate) fn request_in(list: Fields, n: &Notes, max_body: usize) -> (Request, Option<bool>) {
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
    n: &Notes,
    max_body: usize,
) -> Option<bool> {
    let value = |v: Option<Span>| v.and_then(|v| list.slice(v));
    req.method = value(n.method)
        .map(crate::exchange::method)
        .unwrap_or_default();
    req.uri = value(n.path).map(into_string).unwrap_or_default();
    req.version = "HTTP/2";
    let grpc = n
        .first_content_type
        .map(|v| list.slice(v).is_some_and(is_grpc));
    reserve_body(&mut req.body, value(n.content_length), max_body);
    if let Some(a) = n.authority {
        if req.uri.is_empty() && req.method == "CONNECT" {
            req.uri = list.slice(a).map(into_string).unwrap_or_default();
        }
    }
    // Removed first: the list was sized for what it holds, the dropped fields make room for `host`.
    n.request_drop.apply(
        &mut list,
        |n| n != b":method" && n != b":path",
        n.authority.filter(|_| !n.has_host),
    );
    req.headers = list;
    grpc
}

/// [`request_in`] for a list decoded elsewhere (the connection's scratch list): copied once, into
/// storage with room for the `host` field.
pub(crate) fn request_from(fields: &Fields, max_body: usize) -> (Request, Option<bool>) {
    let n = Notes::scan(fields);
    let host = n
        .authority
        .filter(|_| !n.has_host)
        .map_or(0, |(a, b)| b"host".len() + b - a);
    let mut list = Fields::with_capacity(1, fields.end() + host);
    // The copy's spans are the original's: the fields land at the same offsets.
    list.extend_from(fields);
    request_in(list, &n, max_body)
}

/// A response from a decoded header block: `:status`, and the fields without it (removed in place
/// from `list`, as in [`request_in`]). `trailer_room`: the request was gRPC's, whose responses end
/// with a trailers block (`grpc-status`, usually `grpc-message`; gRPC over HTTP/2 spec,
/// "Responses"): room for them now saves regrowing the list when they come.
pub(crate) fn response_in(list: Fields, n: &Notes, max_body: usize) -> Response {
    let mut resp = Response::default();
    response_into(&mut resp, list, n, max_body);
    resp
}

/// [`response_in`] into the response's slot, in place (see [`request_into`]).
pub(crate) fn response_into(resp: &mut Response, mut list: Fields, n: &Notes, max_body: usize) {
    resp.status = n.status.and_then(|v| list.slice(v)).map_or(0, parse_status);
    let grpc = n
        .content_type
        .and_then(|v| list.slice(v))
        .is_some_and(is_grpc);
    reserve_body(
        &mut resp.body,
        n.content_length.and_then(|v| list.slice(v)),
        max_body,
    );
    n.status_drop.apply(&mut list, |n| n != b":status", None);
    if grpc {
        list.reserve(GRPC_TRAILER_FIELDS, GRPC_TRAILER_BYTES);
    }
    resp.version = "HTTP/2";
    resp.headers = list;
}

/// Room kept in a gRPC response's list for its trailers (see [`response_in`]).
pub(crate) const GRPC_TRAILER_FIELDS: usize = 2;
pub(crate) const GRPC_TRAILER_BYTES: usize = 48;

/// [`response_in`] for a list decoded elsewhere: copied once.
pub(crate) fn response_from(fields: &Fields, max_body: usize) -> Response {
    let n = Notes::scan(fields);
    let mut list = Fields::with_capacity(GRPC_TRAILER_FIELDS, fields.end() + GRPC_TRAILER_BYTES);
    list.extend_from(fields);
    response_in(list, &n, max_body)
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
    if body.capacity() == 0 && room > 0 && !data.is_empty() {
        // A body without a declared length (gRPC messages): allocated as its first bytes would
        // grow it (to at least 8), without the general growth path (issue 5).
        *body = Vec::with_capacity(data.len().min(room).max(8));
    }
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
    /// indexed or literal, Huffman), literal without indexing (raw).
    fn encode_block(
        list: &[(&str, &str)],
        modes: &[u8],
        mirror: &mut Vec<(String, String)>,
    ) -> Vec<u8> {
        use crate::http2::hpack::encode;
        let mut b = Vec::new();
        for (i, (n, v)) in list.iter().enumerate() {
            let mode = modes.get(i).copied().unwrap_or(0) % 3;
            let known = mirror.iter().position(|(mn, mv)| mn == n && mv == v);
            match (mode, known) {
                (0, Some(pos)) => encode::integer(&mut b, 0x80, 7, 62 + pos as u64),
                (0 | 1, _) => {
                    match static_name(n) {
                        Some(si) => encode::integer(&mut b, 0x40, 6, si),
                        None => {
                            b.push(0x40);
                            encode::string(&mut b, n.as_bytes(), true);
                        }
                    }
                    encode::string(&mut b, v.as_bytes(), true);
                    mirror.insert(0, (n.to_string(), v.to_string()));
                }
                _ => {
                    match static_name(n) {
                        Some(si) => encode::integer(&mut b, 0, 4, si),
                        None => {
                            b.push(0);
                            encode::string(&mut b, n.as_bytes(), false);
                        }
                    }
                    encode::string(&mut b, v.as_bytes(), false);
                }
            }
        }
        b
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
            prop_assert_eq!(
                Notes::scan(&fields).first_status(&fields),
                fields.find(b":status").map(parse_status)
            );
        }

        /// Blocks decoded straight into a message's list, noting fields as they are appended
        /// (indexed static and dynamic entries, literals with indexed and literal names, lists cut
        /// by the size limit), note what a scan of the decoded list notes, and build the same
        /// request and response as building from the scratch list does.
        #[test]
        fn observed_decoding_notes_what_a_scan_notes(
            blocks in prop::collection::vec(
                (prop::collection::vec(field(), 0..10), prop::collection::vec(any::<u8>(), 10)),
                1..4,
            ),
            max_list in prop_oneof![Just(1usize << 20), 0usize..80],
            room in 0usize..64,
        ) {
            let mut mirror = Vec::new();
            let mut observed = crate::http2::hpack::Decoder::new(true);
            let mut plain = crate::http2::hpack::Decoder::new(true);
            for (list, modes) in &blocks {
                let block = encode_block(list, modes, &mut mirror);
                let mut fields = Fields::with_capacity(0, room);
                let mut notes = Notes::default();
                let got = observed.decode_observed(&block, max_list, &mut fields, &mut notes);
                let mut want_fields = Fields::new();
                let want = plain.decode(&block, max_list, &mut want_fields);
                prop_assert_eq!(got, want);
                prop_assert_eq!(&fields, &want_fields);
                prop_assert_eq!(&notes, &Notes::scan(&fields));
                let (req, grpc) = request_in(fields.clone(), &notes, 1 << 20);
                let (want_req, want_grpc) = request_before(&want_fields, 1 << 20);
                prop_assert_eq!(&req, &want_req);
                prop_assert_eq!(grpc, want_grpc);
                prop_assert_eq!(response_in(fields, &notes, 1 << 20), response_from(&want_fields, 1 << 20));
            }
        }
    }
}
