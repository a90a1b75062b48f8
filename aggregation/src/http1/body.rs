//! Body framing (RFC 9112 §6): Content-Length, chunked (with trailers) and close-delimited bodies.
//!
//! The decoder streams: every call consumes what it can from the slice it is given and keeps only a
//! few integers of state, so a body never has to be buffered to be framed. The bytes are handed to a
//! [`BodySink`], which keeps at most `max_body_bytes` and counts the rest.

use super::head::{parse_trailers, Parsed};
use crate::exchange::Headers;

/// Longest chunk-size line accepted (size, extensions, CRLF). Chunk extensions are rare and short;
/// 4 KiB bounds what is buffered while the line is incomplete.
pub(crate) const MAX_CHUNK_LINE: usize = 4096;

/// Where a message body is going: the kept bytes, the full decoded length and truncation.
pub(crate) struct BodySink<'a> {
    /// The message's list: the body goes after its fields.
    pub body: &'a mut Headers,
    pub body_len: &'a mut u64,
    pub truncated: &'a mut bool,
    pub max: usize,
}

impl BodySink<'_> {
    /// Keeps what fits under the limit; returns how many bytes were dropped.
    pub(crate) fn push(&mut self, data: &[u8]) -> u64 {
        self.body
            .keep_body(data, self.max, self.body_len, self.truncated)
    }
}

/// How the body of one message is delimited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `remaining` bytes of a Content-Length body.
    Length(u64),
    /// Chunked transfer coding, RFC 9112 §7.1.
    Chunked(Chunk),
    /// Until the connection closes (responses without length, RFC 9112 §6.3 rule 8).
    UntilClose,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Chunk {
    /// Expecting a chunk-size line.
    Size,
    /// In chunk data; bytes left.
    Data(u64),
    /// Expecting the CRLF that ends chunk data.
    DataEnd,
    /// After the last chunk: trailer section up to an empty line.
    Trailers,
}

/// One decoding step.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Consumed this many bytes (> 0); the body is not finished.
    Consumed(usize),
    /// Consumed this many bytes (may be 0) and the body is finished.
    Done(usize),
    /// Nothing can be consumed until more bytes are appended to this slice.
    NeedMore,
    /// The framing is broken (bad chunk line, missing CRLF).
    Invalid,
}

/// What a finished chunked body carried after its last chunk.
pub(crate) type Trailers = crate::exchange::Headers;

impl Framing {
    /// Decodes from the start of `data`. Trailer fields, if any, are appended to `trailers`.
    pub(crate) fn step(
        &mut self,
        data: &[u8],
        sink: &mut BodySink<'_>,
        trailers: &mut Trailers,
    ) -> (Step, u64) {
        match self {
            Framing::Length(remaining) => {
                if *remaining == 0 {
                    return (Step::Done(0), 0);
                }
                let n = usize::try_from(*remaining).map_or(data.len(), |r| r.min(data.len()));
                let dropped = sink.push(&data[..n]);
                *remaining -= n as u64;
                (
                    if *remaining == 0 {
                        Step::Done(n)
                    } else {
                        Step::Consumed(n)
                    },
                    dropped,
                )
            }
            Framing::UntilClose => {
                let dropped = sink.push(data);
                (Step::Consumed(data.len()), dropped)
            }
            Framing::Chunked(state) => chunk_step(state, data, sink, trailers),
        }
    }
}

fn chunk_step(
    state: &mut Chunk,
    data: &[u8],
    sink: &mut BodySink<'_>,
    trailers: &mut Trailers,
) -> (Step, u64) {
    match state {
        Chunk::Size => {
            let Some(nl) = memchr::memchr(b'\n', data) else {
                return (
                    if data.len() >= MAX_CHUNK_LINE {
                        Step::Invalid
                    } else {
                        Step::NeedMore
                    },
                    0,
                );
            };
            match parse_chunk_size(&data[..nl]) {
                Some(0) => {
                    *state = Chunk::Trailers;
                    (Step::Consumed(nl + 1), 0)
                }
                Some(size) => {
                    *state = Chunk::Data(size);
                    (Step::Consumed(nl + 1), 0)
                }
                None => (Step::Invalid, 0),
            }
        }
        Chunk::Data(remaining) => {
            let n = usize::try_from(*remaining).map_or(data.len(), |r| r.min(data.len()));
            let dropped = sink.push(&data[..n]);
            *remaining -= n as u64;
            if *remaining == 0 {
                *state = Chunk::DataEnd;
            }
            (
                if n == 0 {
                    Step::NeedMore
                } else {
                    Step::Consumed(n)
                },
                dropped,
            )
        }
        Chunk::DataEnd => match data {
            [b'\r', b'\n', ..] => {
                *state = Chunk::Size;
                (Step::Consumed(2), 0)
            }
            // A bare LF is tolerated as a line terminator (RFC 9112 §2.2).
            [b'\n', ..] => {
                *state = Chunk::Size;
                (Step::Consumed(1), 0)
            }
            [] | [b'\r'] => (Step::NeedMore, 0),
            _ => (Step::Invalid, 0),
        },
        Chunk::Trailers => match data {
            [b'\r', b'\n', ..] => (Step::Done(2), 0),
            [b'\n', ..] => (Step::Done(1), 0),
            [] | [b'\r'] => (Step::NeedMore, 0),
            _ => match parse_trailers(data) {
                Parsed::Complete(fields, n) => {
                    trailers.extend_from(&fields);
                    (Step::Done(n), 0)
                }
                Parsed::Partial => (Step::NeedMore, 0),
                Parsed::Invalid => (Step::Invalid, 0),
            },
        },
    }
}

/// Parses `chunk-size [ chunk-ext ] CR` (the LF already stripped). Hex digits, at most 16 of them
/// so the value fits in u64 (RFC 9112 §7.1 leaves the limit to the recipient).
fn parse_chunk_size(line: &[u8]) -> Option<u64> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 16 {
        return None;
    }
    let rest = super::head::trim(&line[digits..]);
    if !(rest.is_empty() || rest[0] == b';') {
        return None;
    }
    let mut size = 0u64;
    for &d in &line[..digits] {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            _ => d - b'A' + 10,
        };
        size = (size << 4) | u64::from(v);
    }
    Some(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_size_lines() {
        assert_eq!(parse_chunk_size(b"1a\r"), Some(26));
        assert_eq!(parse_chunk_size(b"FF;name=value\r"), Some(255));
        assert_eq!(parse_chunk_size(b"0"), Some(0));
        assert_eq!(parse_chunk_size(b"10 \r"), Some(16));
        assert_eq!(parse_chunk_size(b"x\r"), None);
        assert_eq!(parse_chunk_size(b"\r"), None);
        assert_eq!(parse_chunk_size(b"11111111111111111\r"), None);
        assert_eq!(parse_chunk_size(b"1 2\r"), None);
    }

    #[test]
    fn sink_truncates() {
        let mut body: Headers = [("host", "a")].into_iter().collect();
        let (mut len, mut tr) = (0, false);
        let mut sink = BodySink {
            body: &mut body,
            body_len: &mut len,
            truncated: &mut tr,
            max: 4,
        };
        assert_eq!(sink.push(b"abc"), 0);
        assert_eq!(sink.push(b"def"), 2);
        assert_eq!((body.body(), len, tr), (&b"abcd"[..], 6, true));
        assert_eq!(body.find(b"host"), Some(&b"a"[..]));
    }
}
