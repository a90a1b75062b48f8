//! HTTP/2 (RFC 9113): frames per direction, header blocks through a tolerant HPACK decoder, streams
//! paired by id. Exchanges are emitted when a stream completes (both END_STREAMs, or RST_STREAM), so
//! concurrent streams come out in completion order.

pub(crate) mod frame;
pub mod hpack;
mod reader;
mod stream;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use crate::exchange::{Exchange, Limits, Request, Side};
use crate::parse::ParserStats;
pub(crate) use frame::PREFACE;
use frame::{flag, kind, Head};
use hpack::{Decoder, Fields};
use reader::{FrameReader, FrameSink};
use stream::Stream;

/// Streams tracked at once. Servers commonly allow 100–250 concurrent streams
/// (SETTINGS_MAX_CONCURRENT_STREAMS); beyond this the oldest is emitted as it is (bounded memory).
const MAX_STREAMS: usize = 256;

/// A header block spread over HEADERS/PUSH_PROMISE + CONTINUATION frames (RFC 9113 §6.10).
struct Block {
    stream: u32,
    /// PUSH_PROMISE: the promised stream, whose request this block is.
    promised: Option<u32>,
    end_stream: bool,
    buf: Vec<u8>,
}

/// Per-connection HTTP/2 state shared by both directions.
struct Streams {
    /// HPACK decoders for header blocks sent by the client ([0]) and by the server ([1]).
    decoders: [Decoder; 2],
    blocks: [Option<Block>; 2],
    streams: Vec<Stream>,
    /// Highest stream id the client opened; a response for a lower unknown id is an orphan.
    max_client_stream: u32,
    /// Header blocks may be missing (joined mid-stream or lost bytes).
    incomplete: bool,
    /// SETTINGS_MAX_FRAME_SIZE announced for frames sent by the client ([0]) / the server ([1]).
    max_frame: [u32; 2],
    out: VecDeque<Exchange>,
}

/// HTTP/2 state of one connection.
pub struct Http2Conn {
    readers: [FrameReader; 2],
    st: Streams,
}

fn ix(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

impl Http2Conn {
    /// `mid_stream`: the capture joined late: no preface, frame boundaries and HPACK history unknown.
    pub fn new(mid_stream: bool, limits: &Limits, stats: &mut ParserStats) -> Self {
        if mid_stream {
            stats.resyncs += 2;
        }
        let cap = block_cap(limits);
        Self {
            readers: [
                FrameReader::new(true, mid_stream, cap),
                FrameReader::new(false, mid_stream, cap),
            ],
            st: Streams {
                decoders: [Decoder::new(!mid_stream), Decoder::new(!mid_stream)],
                blocks: [None, None],
                streams: Vec::new(),
                max_client_stream: 0,
                incomplete: mid_stream,
                max_frame: [frame::DEFAULT_MAX_FRAME; 2],
                out: VecDeque::new(),
            },
        }
    }

    /// After an HTTP/1.1 `Upgrade: h2c` answered by 101: the upgrading request is stream 1, half-closed
    /// by the client; the server answers on it (RFC 7540 §3.2).
    pub fn upgraded(
        request: Option<Request>,
        incomplete: bool,
        limits: &Limits,
        stats: &mut ParserStats,
    ) -> Self {
        let mut c = Self::new(false, limits, stats);
        if let Some(request) = request {
            let mut s = Stream::new(1);
            s.request = Some(request);
            s.req_done = true;
            s.incomplete = incomplete;
            c.st.streams.push(s);
        }
        c.st.max_client_stream = 1;
        c
    }

    pub fn feed(&mut self, side: Side, bytes: &[u8], limits: &Limits, stats: &mut ParserStats) {
        let mut sink = Sink {
            st: &mut self.st,
            side,
            limits,
            stats,
        };
        self.readers[ix(side)].feed(bytes, &mut sink);
        for (r, max) in self.readers.iter_mut().zip(self.st.max_frame) {
            r.max_frame = max;
        }
    }

    pub fn gap(&mut self, side: Side, lost: u64, limits: &Limits, stats: &mut ParserStats) {
        let mut sink = Sink {
            st: &mut self.st,
            side,
            limits,
            stats,
        };
        self.readers[ix(side)].gap(lost, &mut sink);
    }

    /// Connection end: every stream is emitted as it is.
    pub fn finish(&mut self, stats: &mut ParserStats) {
        let streams = std::mem::take(&mut self.st.streams);
        for s in streams {
            self.st.emit(s, stats);
        }
    }

    /// Emits streams whose request is complete and whose response has not started.
    pub fn flush_unanswered(&mut self, stats: &mut ParserStats) {
        let mut i = 0;
        while i < self.st.streams.len() {
            let s = &self.st.streams[i];
            if s.req_done && s.response.is_none() && s.request.is_some() {
                let s = self.st.streams.remove(i);
                self.st.emit(s, stats);
            } else {
                i += 1;
            }
        }
    }

    pub fn pop(&mut self) -> Option<Exchange> {
        self.st.out.pop_front()
    }

    pub fn heap_bytes(&self) -> usize {
        self.readers
            .iter()
            .map(FrameReader::heap_bytes)
            .sum::<usize>()
            + self.st.streams.capacity() * std::mem::size_of::<Stream>()
    }
}

/// Encoded header block bytes kept at most. Encoded blocks are smaller than the decoded list
/// (`max_header_bytes` bounds that), except for pathological literal-only blocks.
fn block_cap(limits: &Limits) -> usize {
    limits.max_header_bytes.max(16 * 1024)
}

// === impl Streams ===

impl Streams {
    fn find(&mut self, id: u32) -> Option<&mut Stream> {
        self.streams.iter_mut().find(|s| s.id == id)
    }

    /// The stream `id`, created if new. `None`: it cannot be tracked.
    fn open(&mut self, id: u32, stats: &mut ParserStats) -> Option<&mut Stream> {
        if let Some(i) = self.streams.iter().position(|s| s.id == id) {
            return self.streams.get_mut(i);
        }
        if self.streams.len() >= MAX_STREAMS {
            stats.h2_streams_dropped += 1;
            let oldest = self.streams.remove(0);
            self.emit(oldest, stats);
        }
        self.streams.push(Stream::new(id));
        self.streams.last_mut()
    }

    fn emit(&mut self, s: Stream, stats: &mut ParserStats) {
        if s.request.is_none() {
            if s.response.is_some() {
                stats.responses_orphaned += 1;
            }
            return;
        }
        stats.requests += 1;
        if s.response.is_some() {
            stats.responses += 1;
            stats.exchanges_paired += 1;
        } else {
            stats.requests_unanswered += 1;
        }
        for truncated in [
            s.request.as_ref().is_some_and(|r| r.body_truncated),
            s.response.as_ref().is_some_and(|r| r.body_truncated),
        ] {
            if truncated {
                stats.truncated_bodies += 1;
            }
        }
        let grpc = s.request.as_ref().is_some_and(|r| {
            r.headers
                .iter()
                .any(|(n, v)| n == b"content-type" && v.starts_with(b"application/grpc"))
        });
        if grpc {
            stats.grpc_exchanges += 1;
        }
        self.out.push_back(s.into_exchange());
    }

    /// Emits stream `id` if both sides ended.
    fn maybe_done(&mut self, id: u32, stats: &mut ParserStats) {
        if let Some(i) = self.streams.iter().position(|s| s.id == id) {
            let s = &self.streams[i];
            let orphan_done = s.request.is_none() && s.resp_done && id <= self.max_client_stream;
            if s.is_done() || orphan_done {
                let s = self.streams.remove(i);
                self.emit(s, stats);
            }
        }
    }
}

/// One direction's view of the connection state, given to its frame reader.
struct Sink<'a> {
    st: &'a mut Streams,
    side: Side,
    limits: &'a Limits,
    stats: &'a mut ParserStats,
}

impl Sink<'_> {
    /// HEADERS / PUSH_PROMISE: strips padding and priority, starts a block (RFC 9113 §6.2, §6.6).
    fn header_frame(&mut self, head: Head, payload: &[u8]) {
        let mut start = 0usize;
        let mut pad = 0usize;
        if head.has(flag::PADDED) {
            let Some(&p) = payload.first() else {
                return self.malformed();
            };
            pad = usize::from(p);
            start = 1;
        }
        let mut promised = None;
        if head.kind == kind::PUSH_PROMISE {
            let Some(b) = payload.get(start..start + 4) else {
                return self.malformed();
            };
            promised = Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) & 0x7fff_ffff);
            start += 4;
        } else if head.has(flag::PRIORITY) {
            start += 5;
        }
        let Some(fragment) = payload
            .len()
            .checked_sub(pad)
            .and_then(|end| payload.get(start..end))
        else {
            return self.malformed();
        };
        let end_stream = head.kind == kind::HEADERS && head.has(flag::END_STREAM);
        if head.has(flag::END_HEADERS) {
            self.st.blocks[ix(self.side)] = None;
            self.block_done(head.stream, promised, end_stream, fragment);
        } else {
            self.st.blocks[ix(self.side)] = Some(Block {
                stream: head.stream,
                promised,
                end_stream,
                buf: fragment.to_vec(),
            });
        }
    }

    fn continuation(&mut self, head: Head, payload: &[u8]) {
        let side = ix(self.side);
        let Some(mut block) = self.st.blocks[side].take() else {
            // Its HEADERS was not seen (lost or before the capture): the block is lost.
            return self.lost_history();
        };
        if block.stream != head.stream {
            // CONTINUATION must follow on the same stream (RFC 9113 §6.10).
            self.stats.h2_frame_errors += 1;
            return self.lost_history();
        }
        if block.buf.len() + payload.len() > block_cap(self.limits) {
            self.stats.h2_oversized_header_blocks += 1;
            return self.lost_history();
        }
        block.buf.extend_from_slice(payload);
        if head.has(flag::END_HEADERS) {
            self.block_done(block.stream, block.promised, block.end_stream, &block.buf);
        } else {
            self.st.blocks[side] = Some(block);
        }
    }

    fn malformed(&mut self) {
        self.stats.h2_frame_errors += 1;
        // The block's insertions are unknown now.
        self.lost_history();
    }

    fn lost_history(&mut self) {
        self.st.decoders[ix(self.side)].lose_history();
        self.st.blocks[ix(self.side)] = None;
        self.st.incomplete = true;
    }

    /// A whole header block: decode, then apply to its stream.
    fn block_done(&mut self, id: u32, promised: Option<u32>, end_stream: bool, block: &[u8]) {
        // Every field takes at least one octet of the block. Up to 20 slots up front (960 bytes: still
        // a size glibc serves from its per-thread cache; larger first allocations cost more than a regrow).
        let mut fields = Fields::with_capacity(block.len().min(20));
        let decoded = self.st.decoders[ix(self.side)].decode(
            block,
            self.limits.max_header_bytes,
            &mut fields,
        );
        let incomplete = match decoded {
            Ok(info) => {
                self.stats.hpack_unknown_indexes += u64::from(info.unknown);
                if info.oversized {
                    self.stats.h2_oversized_header_blocks += 1;
                }
                info.unknown > 0 || info.oversized
            }
            Err(_) => {
                self.stats.hpack_errors += 1;
                self.st.incomplete = true;
                true
            }
        };
        match (self.side, promised) {
            (Side::Server, Some(pid)) => {
                // A pushed request (RFC 9113 §8.4): its response follows on `pid`.
                let stats = &mut *self.stats;
                if let Some(s) = self.st.open(pid, stats) {
                    s.request = Some(stream::request_from(fields));
                    s.req_done = true;
                    s.incomplete |= incomplete;
                }
            }
            (Side::Client, _) => {
                self.st.max_client_stream = self.st.max_client_stream.max(id);
                let stats = &mut *self.stats;
                if let Some(s) = self.st.open(id, stats) {
                    s.incomplete |= incomplete;
                    match &mut s.request {
                        // Trailers (RFC 9113 §8.1).
                        Some(r) => r.headers.extend(fields),
                        None => s.request = Some(stream::request_from(fields)),
                    }
                    s.req_done |= end_stream;
                }
                self.st.maybe_done(id, self.stats);
            }
            (Side::Server, None) => {
                let status = fields
                    .iter()
                    .find(|(n, _)| n == b":status")
                    .map(|(_, v)| stream::parse_status(v));
                if status.is_some_and(|s| (100..200).contains(&s)) {
                    // Interim response (RFC 9113 §8.1): the final one follows.
                    self.stats.interim_responses += 1;
                    return;
                }
                let unknown = self.st.find(id).is_none();
                if unknown && (self.st.incomplete || id <= self.st.max_client_stream) {
                    // Its request is not in what we saw: sent before the capture joined (streams
                    // open in increasing order, RFC 9113 §5.1.1), or the stream was already emitted.
                    // A complete capture may still see a response first when feeds are reordered.
                    self.stats.responses_orphaned += 1;
                    return;
                }
                let stats = &mut *self.stats;
                if let Some(s) = self.st.open(id, stats) {
                    s.incomplete |= incomplete;
                    match &mut s.response {
                        Some(r) => r.headers.extend(fields),
                        None => s.response = Some(stream::response_from(fields)),
                    }
                    s.resp_done |= end_stream;
                }
                self.st.maybe_done(id, self.stats);
            }
        }
    }

    fn settings(&mut self, head: Head, payload: &[u8]) {
        if head.has(flag::ACK) {
            return;
        }
        for p in payload.chunks_exact(6) {
            let id = u16::from_be_bytes([p[0], p[1]]);
            let value = u32::from_be_bytes([p[2], p[3], p[4], p[5]]);
            match id {
                // SETTINGS_HEADER_TABLE_SIZE bounds the table of the peer's encoder (RFC 9113 §6.5.2).
                0x1 => self.st.decoders[1 - ix(self.side)].settings_table_size(value),
                // SETTINGS_MAX_FRAME_SIZE: the largest frame the peer may send us (used by resync).
                0x5 => {
                    self.st.max_frame[1 - ix(self.side)] =
                        value.clamp(frame::DEFAULT_MAX_FRAME, (1 << 24) - 1);
                }
                _ => {}
            }
        }
    }
}

impl FrameSink for Sink<'_> {
    fn frame(&mut self, head: Head, payload: &[u8]) {
        self.stats.h2_frames += 1;
        match head.kind {
            kind::HEADERS | kind::PUSH_PROMISE => {
                if self.st.blocks[ix(self.side)].take().is_some() {
                    // A block left open by a frame other than CONTINUATION (RFC 9113 §6.10).
                    self.stats.h2_frame_errors += 1;
                    self.lost_history();
                }
                self.header_frame(head, payload);
            }
            kind::CONTINUATION => self.continuation(head, payload),
            kind::SETTINGS => self.settings(head, payload),
            kind::RST_STREAM => {
                self.stats.h2_streams_reset += 1;
                if let Some(i) = self.st.streams.iter().position(|s| s.id == head.stream) {
                    let s = self.st.streams.remove(i);
                    self.st.emit(s, self.stats);
                }
            }
            kind::GOAWAY => self.stats.h2_goaways += 1,
            _ => {}
        }
    }

    fn data(&mut self, head: &Head, bytes: &[u8]) {
        let max = self.limits.max_body_bytes;
        let Some(s) = self.st.find(head.stream) else {
            return;
        };
        let dropped = match self.side {
            Side::Client => match &mut s.request {
                Some(r) => {
                    let max = if s.req_lossy { r.body.len() } else { max };
                    stream::push_body(
                        &mut r.body,
                        &mut r.body_len,
                        &mut r.body_truncated,
                        max,
                        bytes,
                    )
                }
                None => 0,
            },
            Side::Server => match &mut s.response {
                Some(r) => {
                    let max = if s.resp_lossy { r.body.len() } else { max };
                    stream::push_body(
                        &mut r.body,
                        &mut r.body_len,
                        &mut r.body_truncated,
                        max,
                        bytes,
                    )
                }
                None => 0,
            },
        };
        self.stats.body_bytes_dropped += dropped;
    }

    fn data_end(&mut self, head: &Head) {
        self.stats.h2_frames += 1;
        if !head.has(flag::END_STREAM) {
            return;
        }
        let side = self.side;
        if let Some(s) = self.st.find(head.stream) {
            match side {
                Side::Client => s.req_done = true,
                Side::Server => s.resp_done = true,
            }
        }
        self.st.maybe_done(head.stream, self.stats);
    }

    fn lost_data(&mut self, head: &Head, lost: u64) {
        let side = self.side;
        if let Some(s) = self.st.find(head.stream) {
            s.incomplete = true;
            let msg = match side {
                Side::Client => {
                    s.req_lossy = true;
                    s.request
                        .as_mut()
                        .map(|r| (&mut r.body_len, &mut r.body_truncated))
                }
                Side::Server => {
                    s.resp_lossy = true;
                    s.response
                        .as_mut()
                        .map(|r| (&mut r.body_len, &mut r.body_truncated))
                }
            };
            if let Some((len, truncated)) = msg {
                *len += lost;
                *truncated = true;
            }
        }
    }

    fn lost_block(&mut self, head: &Head) {
        self.stats.h2_oversized_header_blocks += 1;
        self.lost_history();
        if let Some(s) = self.st.find(head.stream) {
            s.incomplete = true;
        }
    }

    fn resynced(&mut self) {
        self.lost_history();
        // Streams in progress on this side may have lost frames.
        let side = self.side;
        for s in &mut self.st.streams {
            let open = match side {
                Side::Client => s.request.is_some() && !s.req_done,
                Side::Server => s.response.is_some() && !s.resp_done,
            };
            if open {
                s.incomplete = true;
            }
        }
    }

    fn frame_error(&mut self) {
        self.stats.h2_frame_errors += 1;
    }

    fn skipped(&mut self, head: &Head) {
        self.stats.h2_frames += 1;
        if head.kind > kind::CONTINUATION {
            self.stats.h2_unknown_frames += 1;
        }
    }
}

/// Do `bytes` start with HTTP/2 frames? `Some(true)`: two plausible frame headers in a row, or one
/// that ends exactly where the bytes end; `Some(false)`: the first header is implausible; `None`: too
/// few bytes to tell. Used to recognise HTTP/2 on a connection joined mid-stream (no preface).
pub(crate) fn starts_with_frames(bytes: &[u8]) -> Option<bool> {
    let first: &[u8; frame::HEAD_LEN] = bytes.get(..frame::HEAD_LEN)?.try_into().ok()?;
    if !Head::plausible(first, frame::DEFAULT_MAX_FRAME) {
        return Some(false);
    }
    let next = frame::HEAD_LEN + Head::parse(first).len as usize;
    if next == bytes.len() {
        return Some(true);
    }
    let second: &[u8; frame::HEAD_LEN] =
        bytes.get(next..next + frame::HEAD_LEN)?.try_into().ok()?;
    Some(Head::plausible(second, frame::DEFAULT_MAX_FRAME))
}
