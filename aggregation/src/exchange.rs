//! What the protocol parsers produce: HTTP messages of one connection, paired.
//! Pure data, no I/O; the service converts an [`Exchange`] into a wire `Transaction`.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use std::net::SocketAddr;

/// Which peer sent the bytes: the HTTP client (requests) or the HTTP server (responses).
/// The connection layer maps (capture direction, process role) to this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Client,
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    Http1,
    Http2,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// Common methods are static strings (no allocation per request), see [`method`].
    pub method: Cow<'static, str>,
    pub uri: String,
    /// "HTTP/1.1", "HTTP/1.0", "HTTP/2" (always one of these: no allocation per message).
    pub version: &'static str,
    /// The header fields and, in the same buffer, the decoded body (chunked framing removed), at
    /// most the configured limit: see [`Request::body`].
    pub headers: Headers,
    /// Full body length seen on the wire (decoded).
    pub body_len: u64,
    pub body_truncated: bool,
}

impl Request {
    /// The decoded body kept (at most the configured limit).
    pub fn body(&self) -> &[u8] {
        self.headers.body()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub version: &'static str,
    /// Header fields (trailers appended) and the body kept: see [`Response::body`].
    pub headers: Headers,
    pub body_len: u64,
    pub body_truncated: bool,
}

impl Response {
    /// The decoded body kept (at most the configured limit).
    pub fn body(&self) -> &[u8] {
        self.headers.body()
    }
}

/// A request and, when seen, its response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub protocol: Protocol,
    pub request: Request,
    pub response: Option<Response>,
    /// Real client address from a PROXY v1/v2 header, when the connection had one.
    pub proxied_client: Option<SocketAddr>,
    /// Something before this exchange is unknown: capture joined mid-connection, bytes were lost
    /// (gap), or HPACK state was missing (placeholders in headers).
    pub incomplete_context: bool,
}

/// Bounds of a parser; every one is a config field of aggregation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Request/response head bytes (request line + headers) before the message is dropped.
    pub max_header_bytes: usize,
    /// Body bytes kept per message; the rest is counted and the message flagged truncated.
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_header_bytes: 64 * 1024,
            max_body_bytes: 1024 * 1024,
        }
    }
}

// === Method ===

/// A request method as text: the registered methods every client uses are static strings (RFC 9110
/// §9.1 plus PATCH, RFC 5789), others are copied; invalid UTF-8 is replaced (lossy).
pub fn method(token: &[u8]) -> Cow<'static, str> {
    // A `match` on the bytes compiles to a length switch and byte compares (no `memcmp` call per
    // candidate); the copy is out of line so the common case saves no registers (issue 5: once
    // per request).
    Cow::Borrowed(match token {
        b"GET" => "GET",
        b"POST" => "POST",
        b"PUT" => "PUT",
        b"DELETE" => "DELETE",
        b"HEAD" => "HEAD",
        b"OPTIONS" => "OPTIONS",
        b"PATCH" => "PATCH",
        b"CONNECT" => "CONNECT",
        b"TRACE" => "TRACE",
        _ => return other_method(token),
    })
}

#[cold]
#[inline(never)]
fn other_method(token: &[u8]) -> Cow<'static, str> {
    Cow::Owned(String::from_utf8_lossy(token).into_owned())
}

// === Headers ===

/// Bytes in front of each field in [`Headers`]: name length and value length, u32 each.
pub(crate) const PREFIX: usize = 8;

/// The bytes in front of a field of these lengths in [`Headers`] (HPACK tables store their entries
/// with it, so an indexed field is appended by [`Headers::push_encoded`] in one copy).
pub(crate) const fn field_prefix(name_len: u32, value_len: u32) -> [u8; PREFIX] {
    let (n, v) = (name_len.to_ne_bytes(), value_len.to_ne_bytes());
    [n[0], n[1], n[2], n[3], v[0], v[1], v[2], v[3]]
}

/// The header fields of one message, in order, names and values as sent (HTTP/1 case kept), and
/// the message's body.
///
/// Why not `Vec<(Vec<u8>, Vec<u8>)>` and a body `Vec`: a message has 10–40 fields, and two
/// allocations per field were most of the cost of rebuilding an HTTP/2 exchange (issue 5); a gRPC
/// message's body is a few dozen bytes, and its own allocation cost more than copying it. Here
/// every field sits in one buffer, `[name len: u32][value len: u32][name][value]` after another,
/// and the body is one more entry among them, marked by its name length (`u32::MAX`): one
/// allocation per message, sized by the parsers. Fields that come after the body (trailers) are
/// appended after it, so nothing ever moves, and decoding a field in place never has to mind the
/// body. Fields are read in order (lookups scan, as they would over a short list anyway).
#[derive(Clone, Default)]
pub struct Headers {
    buf: Vec<u8>,
    /// Fields in `buf[..end]` (the body entry not counted).
    count: u32,
    /// End of the last whole entry; bytes after it belong to a field being written (HPACK decodes
    /// in place) and are never read.
    end: u32,
    /// Where the body entry starts in `buf`, plus one; 0: no body.
    body_at: u32,
}

/// Name length that marks the body's entry in [`Headers`]: no field name is 4 GiB long.
const BODY: u32 = u32::MAX;

impl Headers {
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `fields` fields of `bytes` name and value bytes together.
    pub fn with_capacity(fields: usize, bytes: usize) -> Self {
        Self {
            buf: Vec::with_capacity(bytes + fields * PREFIX),
            ..Self::default()
        }
    }

    /// [`Headers::with_capacity`] with room for a body of `body` bytes after the fields.
    pub fn with_body_room(fields: usize, bytes: usize, body: usize) -> Self {
        let body = if body > 0 { body + PREFIX } else { 0 };
        Self::with_capacity(fields, bytes + body)
    }

    /// The body kept (empty if none).
    pub fn body(&self) -> &[u8] {
        self.body_span()
            .and_then(|span| self.buf.get(span))
            .unwrap_or_default()
    }

    /// Body bytes kept (the length in the body entry's prefix).
    #[inline]
    pub fn body_len(&self) -> usize {
        let Some(at) = self.body_at.checked_sub(1) else {
            return 0;
        };
        // The value length, the prefix's second half (see `field_prefix`).
        let at = at as usize + PREFIX / 2;
        match self.buf.get(at..at + 4) {
            Some(&[a, b, c, d]) => u32::from_ne_bytes([a, b, c, d]) as usize,
            _ => 0,
        }
    }

    /// Where the body's bytes are in `buf`.
    fn body_span(&self) -> Option<std::ops::Range<usize>> {
        let at = self.body_at.checked_sub(1)? as usize;
        let (_, len) = field_lengths(self.buf.get(at..self.end as usize)?)?;
        let start = at + PREFIX;
        Some(start..start + len).filter(|b| b.end <= self.end as usize)
    }

    /// Appends body bytes, as many as fit a buffer of 4 GiB (every configured body limit is far
    /// below); returns how many were appended.
    pub fn push_body(&mut self, data: &[u8]) -> usize {
        if data.is_empty() {
            return 0;
        }
        self.buf.truncate(self.end as usize);
        let at = match self.body_at.checked_sub(1) {
            None => {
                // The first body bytes: the body's entry starts here, its prefix written whole.
                let Some(n) = (u32::MAX - self.end)
                    .checked_sub(PREFIX as u32)
                    .map(|room| data.len().min(room as usize))
                else {
                    return 0;
                };
                self.buf.reserve(PREFIX + n);
                // `n` fits: at most the room left below 4 GiB.
                self.buf.extend_from_slice(&field_prefix(BODY, n as u32));
                crate::copy::append(&mut self.buf, &data[..n]);
                self.body_at = self.end + 1;
                self.end += (PREFIX + n) as u32;
                return n;
            }
            Some(at) if (self.end - at) as usize - PREFIX == self.body_len() => at,
            // Fields came after the body: it moves to the end, to stay one piece.
            Some(at) => self.body_last(at),
        };
        let n = data.len().min((u32::MAX - self.end) as usize);
        crate::copy::append(&mut self.buf, &data[..n]);
        // `n` fits: at most the room left below 4 GiB.
        self.end += n as u32;
        let len = self.end - at - PREFIX as u32;
        if let Some(p) = self.buf.get_mut(at as usize..at as usize + PREFIX) {
            p.copy_from_slice(&field_prefix(BODY, len));
        }
        n
    }

    /// Moves the body's entry, at `at`, after the last field (more body after trailers: never
    /// from a well-behaved peer); returns where it starts now.
    #[cold]
    fn body_last(&mut self, at: u32) -> u32 {
        let len = PREFIX + self.body_len();
        let Some(moved) = self.buf.get_mut(at as usize..self.end as usize) else {
            return at;
        };
        moved.rotate_left(len);
        let at = self.end - len as u32;
        self.body_at = at + 1;
        at
    }

    /// Appends what of `data` fits a body of at most `max` bytes; all of it is counted in `len`,
    /// and `truncated` is set if some was dropped. Returns the bytes dropped.
    pub(crate) fn keep_body(
        &mut self,
        data: &[u8],
        max: usize,
        len: &mut u64,
        truncated: &mut bool,
    ) -> u64 {
        *len += data.len() as u64;
        let take = data.len().min(max.saturating_sub(self.body_len()));
        let kept = self.push_body(data.get(..take).unwrap_or_default());
        if kept < data.len() {
            *truncated = true;
        }
        (data.len() - kept) as u64
    }

    /// Room for `bytes` more (a declared body, and the trailers that follow it) beyond what the
    /// buffer holds now.
    pub fn reserve_body(&mut self, bytes: usize) {
        self.buf.truncate(self.end as usize);
        self.buf.reserve_exact(bytes + PREFIX);
    }

    /// These fields with `body` as the body (tests and fixtures build messages this way).
    pub fn with_body(mut self, body: &[u8]) -> Self {
        if self.body_at != 0 {
            let fields: Headers = self.iter().collect();
            self = fields;
        }
        self.push_body(body);
        self
    }

    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Appends a field. A list beyond 4 GiB cannot occur within any configured head limit; such a
    /// field would be dropped rather than wrap the lengths.
    pub fn push(&mut self, name: &[u8], value: &[u8]) {
        let at = self.begin_field();
        self.buf.extend_from_slice(name);
        self.buf.extend_from_slice(value);
        self.commit(at, name.len());
    }

    /// Appends a field given in its stored form: [`field_prefix`], then name, then value (how
    /// HPACK tables hold their entries): one copy. Dropped (`false`) if the prefix does not match
    /// the length, or like [`Headers::push`] drops a field beyond 4 GiB.
    pub(crate) fn push_encoded(&mut self, raw: &[u8]) -> bool {
        let Some((&[a, b, c, d, e, f, g, h], _)) = raw.split_first_chunk::<PREFIX>() else {
            return false;
        };
        let fields =
            u32::from_ne_bytes([a, b, c, d]) as usize + u32::from_ne_bytes([e, f, g, h]) as usize;
        self.buf.truncate(self.end as usize);
        let Ok(end) = u32::try_from(self.buf.len() + raw.len()) else {
            return false;
        };
        if fields + PREFIX != raw.len() || self.count == u32::MAX {
            return false;
        }
        self.buf.extend_from_slice(raw);
        self.count += 1;
        self.end = end;
        true
    }

    /// The bytes at `span` of the buffer, if within the fields (spans an HPACK observer was given).
    pub(crate) fn slice(&self, span: (usize, usize)) -> Option<&[u8]> {
        self.buf.get(..self.end as usize)?.get(span.0..span.1)
    }

    /// Where the next field will start in the buffer (the end of the last whole field).
    pub(crate) fn end(&self) -> usize {
        self.end as usize
    }

    /// Appends a field named `name` whose value is a copy of `value` (a span of this list's buffer,
    /// e.g. another field's value). Nothing is appended if the span is not within the fields.
    pub(crate) fn push_from_within(&mut self, name: &[u8], value: std::ops::Range<usize>) {
        let (start, end) = (self.end as usize, value.end);
        let Some(value_len) = end.checked_sub(value.start).filter(|_| end <= start) else {
            return;
        };
        let (Ok(name_len), Ok(value_len), Ok(new_end)) = (
            u32::try_from(name.len()),
            u32::try_from(value_len),
            u32::try_from(start + PREFIX + name.len() + value_len),
        ) else {
            return;
        };
        if self.count == u32::MAX {
            return;
        }
        // Prefix, name and value written at once (no placeholder prefix to patch afterwards).
        self.buf.truncate(start);
        self.buf.reserve(PREFIX + name.len() + value_len as usize);
        self.buf
            .extend_from_slice(&field_prefix(name_len, value_len));
        self.buf.extend_from_slice(name);
        self.buf.extend_from_within(value);
        self.count += 1;
        self.end = new_end;
    }

    /// The fields as `(name, value)` slices of one shared buffer (the list's own, not copied),
    /// and the body as one more slice of it: what the wire transaction carries (an allocation per
    /// field and one per body before, issue 5).
    pub fn into_shared(mut self) -> (impl Iterator<Item = (Bytes, Bytes)>, Bytes) {
        let body = self.body_span().unwrap_or_default();
        self.buf.truncate(self.end as usize);
        let buf = Bytes::from(self.buf);
        let body = buf.slice(body);
        let (mut at, mut left) = (0usize, self.count);
        let fields = std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            let (name, value, end) = next_field(&buf, at)?;
            at = end;
            left -= 1;
            Some((buf.slice(name..value), buf.slice(value..end)))
        });
        (fields, body)
    }

    /// The `i`-th field.
    pub fn get(&self, i: usize) -> Option<(&[u8], &[u8])> {
        self.iter().nth(i)
    }

    /// Fields in order, as `(name, value)`.
    pub fn iter(&self) -> HeadersIter<'_> {
        HeadersIter {
            buf: self.buf.get(..self.end as usize).unwrap_or_default(),
            at: 0,
            left: self.count,
        }
    }

    /// Value of the first field named exactly `name` (HTTP/2 names are lowercase, RFC 9113 §8.2.1).
    pub fn find(&self, name: &[u8]) -> Option<&[u8]> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Value of the first field named `name`, ASCII case-insensitively (HTTP/1 names, RFC 9110 §5.1).
    pub fn find_ignore_case(&self, name: &[u8]) -> Option<&[u8]> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Appends all fields of `other` (trailers after the header section): one copy. Its body, if
    /// it has one, is not appended.
    pub fn extend_from(&mut self, other: &Headers) {
        if other.body_at != 0 {
            return self.extend_from(&other.iter().collect());
        }
        let add = other.buf.get(..other.end as usize).unwrap_or_default();
        self.buf.truncate(self.end as usize);
        let Some(end) = u32::try_from(self.buf.len() + add.len())
            .ok()
            .filter(|_| self.count.checked_add(other.count).is_some())
        else {
            return;
        };
        self.buf.reserve_exact(add.len());
        self.buf.extend_from_slice(add);
        self.count += other.count;
        self.end = end;
    }

    /// A copy of the fields whose name `keep` accepts, in one exactly sized allocation with room for
    /// `extra_fields` more fields of `extra_bytes` bytes. Runs of kept fields are copied at once
    /// (HTTP/2 pseudo-fields come first, RFC 9113 §8.3, so the rest is usually one copy).
    /// Tests only: how messages were built before the HPACK observer (`http2::stream`), kept as the
    /// reference the property tests compare the builder with.
    #[cfg(test)]
    pub fn filtered(
        &self,
        keep: impl Fn(&[u8]) -> bool,
        extra_fields: usize,
        extra_bytes: usize,
    ) -> Headers {
        let mut size = 0;
        let mut count = 0u32;
        for (at, end, name) in self.spans() {
            if keep(name) {
                size += end - at;
                count += 1;
            }
        }
        let mut out = Headers {
            buf: Vec::with_capacity(size + extra_bytes + extra_fields * PREFIX),
            count,
            end: 0,
            body_at: 0,
        };
        let mut run: Option<(usize, usize)> = None;
        for (at, end, name) in self.spans() {
            match (keep(name), run) {
                (true, Some((from, to))) if to == at => run = Some((from, end)),
                (true, _) => {
                    if let Some((from, to)) = run {
                        out.buf
                            .extend_from_slice(self.buf.get(from..to).unwrap_or_default());
                    }
                    run = Some((at, end));
                }
                (false, _) => {}
            }
        }
        if let Some((from, to)) = run {
            out.buf
                .extend_from_slice(self.buf.get(from..to).unwrap_or_default());
        }
        // Spans lie within `self.end`, which fits u32; if not, the copy holds nothing.
        match u32::try_from(out.buf.len()) {
            Ok(end) if out.buf.len() == size => out.end = end,
            _ => out.clear(),
        }
        out
    }

    /// `(start, end, name)` of each field's bytes in `buf`, prefix included.
    #[cfg(test)]
    fn spans(&self) -> impl Iterator<Item = (usize, usize, &[u8])> + '_ {
        self.fields_at()
            .map(|(span, name, _)| (span.0, span.1, name))
    }

    /// Each field with the span of its bytes (prefix included).
    #[cfg(test)]
    pub(crate) fn fields_at(&self) -> impl Iterator<Item = ((usize, usize), &[u8], &[u8])> + '_ {
        let mut it = self.iter();
        std::iter::from_fn(move || {
            let (name, value) = it.next()?;
            let end = it.at;
            Some(((end - PREFIX - name.len() - value.len(), end), name, value))
        })
    }

    /// Reserves room for `bytes` more name and value bytes in `fields` more fields.
    pub fn reserve(&mut self, fields: usize, bytes: usize) {
        self.buf.truncate(self.end as usize);
        self.buf.reserve_exact(bytes + fields * PREFIX);
    }

    /// Removes every field and the body.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.count = 0;
        self.end = 0;
        self.body_at = 0;
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity()
    }

    /// Starts a field written in place (HPACK strings are decoded straight into the list): returns
    /// where its name starts in [`Headers::bytes_mut`]. Write the name, then the value, then
    /// [`Headers::commit`] it or drop it with [`Headers::rollback`].
    pub(crate) fn begin_field(&mut self) -> usize {
        // Whatever an unfinished field left behind is dropped here.
        self.buf.truncate(self.end as usize);
        self.buf.extend_from_slice(&[0; PREFIX]);
        self.buf.len()
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// The bytes from `name_at` (as returned by [`Headers::begin_field`]) on become a field whose
    /// name is the first `name_len` of them. Anything else (bounds that do not match, beyond 4 GiB)
    /// is dropped instead.
    pub(crate) fn commit(&mut self, name_at: usize, name_len: usize) -> bool {
        let len = self.buf.len();
        let start = self.end as usize;
        let ok = name_at == start + PREFIX
            && name_at + name_len <= len
            && u32::try_from(len).is_ok()
            && self.count < u32::MAX;
        if !ok {
            self.rollback();
            return false;
        }
        // In range: `len` fits u32 and both lengths are parts of it.
        let value_len = (len - name_at - name_len) as u32;
        let mut prefix = [0u8; PREFIX];
        prefix[..4].copy_from_slice(&(name_len as u32).to_ne_bytes());
        prefix[4..].copy_from_slice(&value_len.to_ne_bytes());
        if let Some(p) = self.buf.get_mut(start..name_at) {
            p.copy_from_slice(&prefix);
        }
        self.count += 1;
        self.end = len as u32;
        true
    }

    /// Where the list ends now, for [`Headers::reset`].
    pub(crate) fn mark(&self) -> (u32, u32) {
        (self.end, self.count)
    }

    /// Drops every field (and body bytes) appended since `mark` was taken (nothing if it is not
    /// an earlier mark).
    pub(crate) fn reset(&mut self, mark: (u32, u32)) {
        let (end, count) = mark;
        if end <= self.end && count <= self.count {
            self.buf.truncate(end as usize);
            self.end = end;
            self.count = count;
            if self.body_at > end {
                self.body_at = 0;
            }
        }
    }

    /// Drops the field being written (decoded for the HPACK table's sake, not kept).
    pub(crate) fn rollback(&mut self) {
        self.buf.truncate(self.end as usize);
    }
}

/// Name and value lengths from the prefix at the start of `rest`.
fn field_lengths(rest: &[u8]) -> Option<(usize, usize)> {
    let (&[a, b, c, d, e, f, g, h], _) = rest.split_first_chunk::<PREFIX>()?;
    Some((
        u32::from_ne_bytes([a, b, c, d]) as usize,
        u32::from_ne_bytes([e, f, g, h]) as usize,
    ))
}

/// Fields of a [`Headers`] in order.
#[derive(Clone)]
pub struct HeadersIter<'a> {
    /// The entries (`buf[..end]` of the list).
    buf: &'a [u8],
    /// Where the next entry starts.
    at: usize,
    left: u32,
}

/// Where the field at or after `at` of `buf` (the body's entry skipped) has its name, its value
/// and its end: `(name, value, end)` offsets. Written by `commit` only, so in bounds; a corrupt
/// list ends early, never panics.
fn next_field(buf: &[u8], mut at: usize) -> Option<(usize, usize, usize)> {
    let (mut name_len, mut value_len) = field_lengths(buf.get(at..)?)?;
    if name_len == BODY as usize {
        at = at.checked_add(PREFIX + value_len)?;
        (name_len, value_len) = field_lengths(buf.get(at..)?)?;
    }
    let name = at + PREFIX;
    let value = name.checked_add(name_len)?;
    let end = value.checked_add(value_len).filter(|&e| e <= buf.len())?;
    Some((name, value, end))
}

impl<'a> Iterator for HeadersIter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let (name, value, end) = next_field(self.buf, self.at)?;
        self.at = end;
        self.left -= 1;
        Some((self.buf.get(name..value)?, self.buf.get(value..end)?))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left as usize))
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = (&'a [u8], &'a [u8]);
    type IntoIter = HeadersIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq for Headers {
    fn eq(&self, other: &Self) -> bool {
        self.count == other.count && self.iter().eq(other.iter()) && self.body() == other.body()
    }
}

impl Eq for Headers {}

impl PartialOrd for Headers {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Headers {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.iter()
            .cmp(other.iter())
            .then_with(|| self.body().cmp(other.body()))
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        l.entries(self.iter().map(|(n, v)| {
            (
                String::from_utf8_lossy(n).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            )
        }));
        if self.body_len() != 0 {
            l.entry(&("(body)", String::from_utf8_lossy(self.body())));
        }
        l.finish()
    }
}

impl<N: AsRef<[u8]>, V: AsRef<[u8]>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut h = Headers::new();
        for (n, v) in iter {
            h.push(n.as_ref(), v.as_ref());
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_keep_order_and_compare_by_content() {
        let mut h = Headers::new();
        h.push(b"Host", b"a");
        h.push(b"x", b"");
        let at = h.begin_field();
        h.bytes_mut().extend_from_slice(b"dropped");
        h.rollback();
        // A field left unfinished is dropped by the next one.
        h.begin_field();
        h.bytes_mut().extend_from_slice(b"unfinished");
        h.push(b"", b"v");
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            [(&b"Host"[..], &b"a"[..]), (b"x", b""), (b"", b"v")]
        );
        assert_eq!(h.find(b"x"), Some(&b""[..]));
        assert_eq!(h.find_ignore_case(b"host"), Some(&b"a"[..]));
        assert_eq!(
            h,
            [("Host", "a"), ("x", ""), ("", "v")].into_iter().collect()
        );
        let mut t = Headers::new();
        t.push(b"grpc-status", b"0");
        h.extend_from(&t);
        assert_eq!(h.len(), 4);
        assert_eq!(h.get(3), Some((&b"grpc-status"[..], &b"0"[..])));
        let f = h.filtered(|n| n != b"x", 1, 4);
        assert_eq!(
            f,
            [("Host", "a"), ("", "v"), ("grpc-status", "0")]
                .into_iter()
                .collect()
        );
        assert_eq!(h.filtered(|_| false, 0, 0), Headers::new());
        // Commits that do not match a started field are dropped.
        let mut bad = Headers::new();
        bad.commit(at, 0);
        let at = bad.begin_field();
        bad.commit(at, 1);
        assert!(bad.is_empty());
        assert_eq!(bad.iter().count(), 0);
    }

    #[test]
    fn values_copied_within_and_encoded_fields_append() {
        let names: [&[u8]; 5] = [b":method", b":path", b"host", b"x", b""];
        let mut h = Headers::new();
        for (i, n) in names.iter().enumerate() {
            h.push(n, format!("v{i}").as_bytes());
        }
        // A copy of a field's value, appended under another name.
        let mut w = h.clone();
        let (span, name, _) = w.fields_at().nth(2).expect("3 fields");
        let value = span.0 + PREFIX + name.len()..span.1;
        w.push_from_within(b"copy", value);
        w.push_from_within(b"ignored", 0..1 << 20);
        assert_eq!(w.len(), 6);
        assert_eq!(w.get(5), Some((&b"copy"[..], &b"v2"[..])));
        // Stored fields append in one copy; a prefix that does not match its bytes is dropped.
        let mut e = Headers::new();
        let mut raw = field_prefix(4, 1).to_vec();
        raw.extend_from_slice(b"hosta");
        assert!(e.push_encoded(&raw));
        assert!(!e.push_encoded(&raw[..7]));
        assert!(!e.push_encoded(&raw[..raw.len() - 1]));
        raw.push(b'!');
        assert!(!e.push_encoded(&raw));
        assert_eq!(e, [("host", "a")].into_iter().collect());
    }

    #[test]
    fn shared_fields_are_the_fields() {
        let mut h = Headers::with_capacity(4, 64);
        h.push(b"host", b"a");
        h.push(b"x", b"");
        h.push(b"", b"v");
        let want: Vec<_> = h.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect();
        // An unfinished field after the last whole one is not part of the list.
        h.begin_field();
        h.bytes_mut().extend_from_slice(b"unfinished");
        let (fields, body) = h.into_shared();
        let got: Vec<_> = fields.map(|(n, v)| (n.to_vec(), v.to_vec())).collect();
        assert_eq!(got, want);
        assert!(body.is_empty());
        let (fields, body) = Headers::new().into_shared();
        assert_eq!((fields.count(), body.len()), (0, 0));
    }

    #[test]
    fn the_body_shares_the_buffer_and_is_never_a_field() {
        let mut h: Headers = [("content-type", "application/grpc")].into_iter().collect();
        h.begin_field();
        h.bytes_mut().extend_from_slice(b"unfinished");
        let (mut len, mut truncated) = (0, false);
        assert_eq!(h.keep_body(b"hello", 8, &mut len, &mut truncated), 0);
        assert_eq!(h.keep_body(b" world", 8, &mut len, &mut truncated), 3);
        assert_eq!(
            (h.body(), h.body_len(), len, truncated),
            (&b"hello wo"[..], 8, 11, true)
        );
        // Trailers go after the body: nothing moves, the body is not one of the fields.
        let mut t = Headers::new();
        t.push(b"grpc-status", b"0");
        h.extend_from(&t);
        h.push(b"grpc-message", b"");
        assert_eq!(h.len(), 3);
        assert_eq!(
            h.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            [&b"content-type"[..], b"grpc-status", b"grpc-message"]
        );
        assert_eq!(h.find(b"grpc-status"), Some(&b"0"[..]));
        assert_eq!(h.body(), b"hello wo");
        // More body after the trailers (no well-behaved peer): still one piece.
        assert_eq!(h.push_body(b"!"), 1);
        assert_eq!((h.body(), h.len()), (&b"hello wo!"[..], 3));
        assert_eq!(h.get(2), Some((&b"grpc-message"[..], &b""[..])));
        let (fields, body) = h.clone().into_shared();
        let names: Vec<_> = fields.map(|(n, _)| n).collect();
        assert_eq!((names.len(), &body[..]), (3, &b"hello wo!"[..]));
        // Equality and copies see the body; `extend_from` takes only the fields.
        let mut other: Headers = [("content-type", "application/grpc")].into_iter().collect();
        other.extend_from(&h);
        assert_eq!(other.len(), 4);
        assert!(other.body().is_empty());
        assert_ne!(h.clone().with_body(b"x"), h);
        assert_eq!(h.clone().with_body(b"x").body(), b"x");
        assert_eq!(h.clone().with_body(b"x").len(), 3);
        // A reset to a mark before the body drops the body too.
        let mut r = Headers::new();
        r.push(b"a", b"1");
        let before = r.mark();
        r.push_body(b"body");
        r.reset(before);
        assert_eq!((r.len(), r.body()), (1, &b""[..]));
        // No bytes, no body entry.
        let mut empty = Headers::new();
        assert_eq!(empty.push_body(b""), 0);
        assert_eq!((format!("{empty:?}"), empty.end()), ("[]".to_owned(), 0));
        // A reset to a mark after the body keeps it (an interim response's fields dropped).
        let mut g = Headers::new().with_body(b"kept");
        let after = g.mark();
        g.push(b"x", b"1");
        g.reset(after);
        assert_eq!((g.len(), g.body()), (0, &b"kept"[..]));
    }

    #[test]
    fn common_methods_are_static() {
        for m in [
            "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE",
        ] {
            assert!(
                matches!(method(m.as_bytes()), Cow::Borrowed(b) if b == m),
                "{m}"
            );
        }
        assert_eq!(method(b"PROPFIND"), "PROPFIND");
        // Methods are case-sensitive (RFC 9110 §9.1): `get` is not GET.
        assert!(matches!(method(b"get"), Cow::Owned(o) if o == "get"));
        assert!(matches!(method(b"GETS"), Cow::Owned(o) if o == "GETS"));
        assert_eq!(method(b"G\xffT"), "G\u{fffd}T");
    }
}
