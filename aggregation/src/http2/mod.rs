//! HTTP/2 (RFC 9113): frames per direction, header blocks through a tolerant HPACK decoder, streams
//! paired by id. Exchanges are emitted when a stream completes (both END_STREAMs, or RST_STREAM), so
//! concurrent streams come out in completion order.

pub(crate) mod frame;
pub mod hpack;
mod reader;
mod sink;
mod stream;
#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::collections::VecDeque;
use std::net::SocketAddr;

use crate::exchange::{Exchange, Limits, Request, Side};
use crate::parse::ParserStats;
use frame::Head;
pub(crate) use frame::PREFACE;
use hpack::Decoder;
use reader::FrameReader;
use sink::Sink;
use stream::Stream;

/// Streams tracked at once. Servers commonly allow 100–250 concurrent streams
/// (SETTINGS_MAX_CONCURRENT_STREAMS); beyond this the oldest is emitted as it is (bounded memory).
const MAX_STREAMS: usize = 256;

/// Stream and exchange queue slots a busy connection keeps when drained (browsers open about 6
/// streams at once); beyond this a burst's capacity is given back.
const BUSY_SLOTS: usize = 8;

/// Scratch header-list capacity kept between blocks on a busy connection.
const SCRATCH_KEEP: usize = 8 * 1024;

/// A header block spread over HEADERS/PUSH_PROMISE + CONTINUATION frames (RFC 9113 §6.10).
pub(super) struct Block {
    pub(super) stream: u32,
    /// PUSH_PROMISE: the promised stream, whose request this block is.
    pub(super) promised: Option<u32>,
    pub(super) end_stream: bool,
    pub(super) buf: Vec<u8>,
}

/// Per-connection HTTP/2 state shared by both directions.
pub(super) struct Streams {
    /// HPACK decoders for header blocks sent by the client ([0]) and by the server ([1]).
    pub(super) decoders: [Decoder; 2],
    pub(super) blocks: [Option<Block>; 2],
    /// In no particular order: a completed stream is taken out by swapping the last one into its
    /// place (taking the oldest out of an ordered list moved every younger one, ~240 bytes each;
    /// streams mostly complete oldest first). What emits several streams sorts them by `seq`
    /// first, so they still come out in the order they were opened. Boxed: a stream is ~250
    /// bytes, and moving it out of the list, into the queue and out again was a large share of
    /// the copying per exchange (issue 5); boxes are reused through `spare`.
    #[allow(clippy::vec_box)] // Boxed on purpose, see above.
    pub(super) streams: Vec<Box<Stream>>,
    /// `seq` of the next stream opened.
    pub(super) next_seq: u64,
    /// Highest stream id the client opened; a response for a lower unknown id is an orphan.
    pub(super) max_client_stream: u32,
    /// Header blocks may be missing (joined mid-stream or lost bytes).
    pub(super) incomplete: bool,
    /// Body bytes kept by open streams, bounded by [`kept_budget`].
    pub(super) kept: usize,
    /// SETTINGS_MAX_FRAME_SIZE announced for frames sent by the client ([0]) / the server ([1]).
    pub(super) max_frame: [u32; 2],
    /// Emitted streams (each with a request), in emission order; `pop` turns them into exchanges.
    pub(super) out: VecDeque<Box<Stream>>,
    /// The front of `out` was handed out by `pop`; its box is recycled by the next call.
    pub(super) front_taken: bool,
    /// Boxes of emitted streams for the next streams opened.
    pub(super) spare: Spare,
    /// Where header blocks other than a message's first are decoded (trailers, pushed requests,
    /// orphans) before being copied where they belong (reused).
    pub(super) scratch: hpack::Fields,
    /// Size of the last message list decoded from each side's blocks: the next one is given as
    /// much room (requests on a connection look alike).
    pub(super) list_guess: [usize; 2],
    /// Body bytes of the last message emitted from each side, up to [`BODY_GUESS_MAX`]: room the
    /// next message's list is given for its body (which follows its fields in the list), so that
    /// a gRPC call's small messages take no second allocation.
    pub(super) body_guess: [usize; 2],
    /// Set on every exchange as it is emitted (a PROXY header's client): setting it in `pop`
    /// moved every exchange once more (issue 5).
    pub(super) proxied_client: Option<SocketAddr>,
    /// Where the stream last looked up or opened is in `streams` (checked before searching: a
    /// stream's DATA and trailers follow its HEADERS, and a search whose length changes with the
    /// stream mispredicts its exit, issue 5). May be stale: it is only a guess, checked by id.
    pub(super) hint: Cell<usize>,
}

/// Largest body room given to a message's list in advance (see `Streams::body_guess`): small
/// bodies cost as much to allocate as to copy; larger ones grow their list as they arrive, or are
/// reserved for by their `content-length`.
const BODY_GUESS_MAX: usize = 1024;

/// HTTP/2 state of one connection.
pub struct Http2Conn {
    readers: [FrameReader; 2],
    st: Streams,
}

pub(super) fn ix(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

impl Http2Conn {
    /// `mid_stream`: the capture joined late: no preface, frame boundaries and HPACK history unknown.
    /// `proxied_client` (from a PROXY header) is set on every exchange.
    pub fn new(
        mid_stream: bool,
        proxied_client: Option<SocketAddr>,
        limits: &Limits,
        stats: &mut ParserStats,
    ) -> Self {
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
                next_seq: 0,
                max_client_stream: 0,
                incomplete: mid_stream,
                max_frame: [frame::DEFAULT_MAX_FRAME; 2],
                kept: 0,
                out: VecDeque::new(),
                front_taken: false,
                spare: Spare::default(),
                scratch: hpack::Fields::new(),
                list_guess: [0; 2],
                body_guess: [0; 2],
                proxied_client,
                hint: Cell::new(0),
            },
        }
    }

    /// After an HTTP/1.1 `Upgrade: h2c` answered by 101: the upgrading request is stream 1, half-closed
    /// by the client; the server answers on it (RFC 7540 §3.2).
    pub fn upgraded(
        request: Option<Request>,
        incomplete: bool,
        proxied_client: Option<SocketAddr>,
        limits: &Limits,
        stats: &mut ParserStats,
    ) -> Self {
        let mut c = Self::new(false, proxied_client, limits, stats);
        if let Some(request) = request {
            let mut s = Stream::new(1, 0);
            c.st.next_seq = 1;
            s.grpc = request
                .headers
                .find(b"content-type")
                .map(|v| v.starts_with(b"application/grpc"));
            s.request = Some(request);
            s.req_done = true;
            s.incomplete = incomplete;
            c.st.streams.push(Box::new(s));
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
        self.st.in_order();
        let streams = std::mem::take(&mut self.st.streams);
        for s in streams {
            self.st.emit(s, stats);
        }
    }

    /// Emits streams whose request is complete and whose response has not started.
    pub fn flush_unanswered(&mut self, stats: &mut ParserStats) {
        self.st.in_order();
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

    /// Whether [`Self::pop`] has an exchange.
    pub fn ready(&self) -> bool {
        self.st.out.len() > usize::from(self.st.front_taken)
    }

    pub fn pop(&mut self) -> Option<Exchange> {
        self.st.recycle_taken();
        let s = self.st.out.front_mut()?;
        self.st.front_taken = true;
        // Built in the caller's slot straight from the box (the one copy of the exchange on its
        // way out): the emptied box is recycled by the next call, after which nothing may run.
        Some(s.take_exchange(self.st.proxied_client))
    }

    pub fn heap_bytes(&self) -> usize {
        self.readers
            .iter()
            .map(FrameReader::heap_bytes)
            .sum::<usize>()
            + (self.st.streams.capacity() + self.st.out.capacity())
                * std::mem::size_of::<Box<Stream>>()
            + (self.st.streams.len() + self.st.out.len() + self.st.spare.len)
                * std::mem::size_of::<Stream>()
            + self
                .st
                .decoders
                .iter()
                .map(Decoder::heap_bytes)
                .sum::<usize>()
            + self.st.scratch.heap_bytes()
    }

    /// Returns capacity once nothing is waiting: down to one slot after a drain, all of it when the
    /// connection goes idle (`keep` 0).
    pub fn trim(&mut self, keep: usize) {
        self.st.recycle_taken();
        // While busy, the few slots concurrent streams use stay: giving them back after every drain
        // regrew them on the next request (allocations per exchange, issue 5).
        let floor = if keep == 0 { 0 } else { BUSY_SLOTS };
        if self.st.out.capacity() > floor {
            crate::http1::trim_deque(&mut self.st.out, keep);
        }
        if self.st.streams.is_empty() && self.st.streams.capacity() > floor {
            self.st.streams.shrink_to(keep);
        }
        if keep == 0 {
            self.st.spare = Spare::default();
        }
        for r in &mut self.readers {
            r.trim();
        }
        // Kept while busy (a browser's request list is 1–2 KiB); an idle connection holds none.
        if keep == 0 || self.st.scratch.heap_bytes() > SCRATCH_KEEP {
            self.st.scratch = hpack::Fields::new();
        }
        if keep == 0 {
            for d in &mut self.st.decoders {
                d.shrink();
            }
        }
    }
}

/// Body bytes all open streams of a connection keep together: concurrent streams each up to
/// `max_body_bytes` would otherwise hold [`MAX_STREAMS`] times that. Beyond it, bodies are truncated.
pub(super) fn kept_budget(limits: &Limits) -> usize {
    limits.max_body_bytes.saturating_mul(8)
}

/// Encoded header block bytes kept at most. Encoded blocks are smaller than the decoded list
/// (`max_header_bytes` bounds that), except for pathological literal-only blocks.
pub(super) fn block_cap(limits: &Limits) -> usize {
    limits.max_header_bytes.max(16 * 1024)
}

/// Up to [`BUSY_SLOTS`] stream boxes kept for reuse, inline (a `Vec` would be one more allocation
/// per connection, noticeable on short ones).
#[derive(Default)]
pub(super) struct Spare {
    boxes: [Option<Box<Stream>>; BUSY_SLOTS],
    len: usize,
}

impl Spare {
    fn take(&mut self) -> Option<Box<Stream>> {
        self.len = self.len.checked_sub(1)?;
        self.boxes.get_mut(self.len)?.take()
    }
}

// === impl Streams ===

impl Streams {
    /// Sorts the streams into the order they were opened (before emitting several of them).
    pub(super) fn in_order(&mut self) {
        self.streams.sort_unstable_by_key(|s| s.seq);
    }

    pub(super) fn find(&mut self, id: u32) -> Option<&mut Stream> {
        self.streams
            .iter_mut()
            .find(|s| s.id == id)
            .map(|s| &mut **s)
    }

    /// Where stream `id` is in `streams`.
    pub(super) fn position(&self, id: u32) -> Option<usize> {
        let hint = self.hint.get();
        for at in [hint, hint + 1] {
            if self.streams.get(at).is_some_and(|s| s.id == id) {
                self.hint.set(at);
                return Some(at);
            }
        }
        let i = self.streams.iter().position(|s| s.id == id)?;
        self.hint.set(i);
        Some(i)
    }

    /// The stream `id`, created if new. `None`: it cannot be tracked.
    pub(super) fn open(&mut self, id: u32, stats: &mut ParserStats) -> Option<&mut Stream> {
        let at = self.position(id);
        let i = self.open_at(id, at, stats)?;
        self.streams.get_mut(i).map(|s| &mut **s)
    }

    /// [`Streams::open`] given where the stream is (`at`, from [`Streams::position`] with no
    /// change to the list since): returns where it is then. Saves looking for it again, as every
    /// frame used to several times (issue 5).
    pub(super) fn open_at(
        &mut self,
        id: u32,
        at: Option<usize>,
        stats: &mut ParserStats,
    ) -> Option<usize> {
        if let Some(i) = at.filter(|&i| self.streams.get(i).is_some_and(|s| s.id == id)) {
            return Some(i);
        }
        if self.streams.len() >= MAX_STREAMS {
            stats.h2_streams_dropped += 1;
            let oldest = self.streams.iter().enumerate().min_by_key(|(_, s)| s.seq);
            if let Some(i) = oldest.map(|(i, _)| i) {
                let mut oldest = self.streams.swap_remove(i);
                oldest.incomplete = true;
                self.emit(oldest, stats);
            }
        }
        let s = match self.spare.take() {
            Some(mut s) => {
                *s = Stream::new(id, self.next_seq);
                s
            }
            None => Box::new(Stream::new(id, self.next_seq)),
        };
        self.streams.push(s);
        self.next_seq += 1;
        let at = self.streams.len().checked_sub(1)?;
        self.hint.set(at);
        Some(at)
    }

    /// Recycles the box at the front of `out` if `pop` emptied it.
    pub(super) fn recycle_taken(&mut self) {
        if std::mem::take(&mut self.front_taken) {
            if let Some(s) = self.out.pop_front() {
                self.recycle(s);
            }
        }
    }

    /// Keeps the box of an emitted (or dropped) stream for the next one opened.
    pub(super) fn recycle(&mut self, s: Box<Stream>) {
        if let Some(slot) = self.spare.boxes.get_mut(self.spare.len) {
            *slot = Some(s);
            self.spare.len += 1;
        }
    }

    pub(super) fn emit(&mut self, s: Box<Stream>, stats: &mut ParserStats) {
        let bodies = [
            &s.request.as_ref().map(|r| r.headers.body_len()),
            &s.response.as_ref().map(|r| r.headers.body_len()),
        ];
        for (guess, len) in self.body_guess.iter_mut().zip(bodies) {
            if let Some(len) = *len {
                *guess = len.min(BODY_GUESS_MAX);
                self.kept = self.kept.saturating_sub(len);
            }
        }
        if s.request.is_none() {
            if s.response.is_some() {
                stats.responses_orphaned += 1;
            }
            return self.recycle(s);
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
        // Whether the request's first `content-type` is gRPC's, noted as its blocks were applied.
        if s.grpc == Some(true) {
            stats.grpc_exchanges += 1;
        }
        self.out.push_back(s);
    }

    /// Emits stream `id` if both sides ended.
    pub(super) fn maybe_done(&mut self, id: u32, stats: &mut ParserStats) {
        if let Some(i) = self.position(id) {
            self.maybe_done_at(i, stats);
        }
    }

    /// Emits the stream at `i` of `streams` if both sides ended.
    pub(super) fn maybe_done_at(&mut self, i: usize, stats: &mut ParserStats) {
        let Some(s) = self.streams.get(i) else {
            return;
        };
        let orphan_done = s.request.is_none() && s.resp_done && s.id <= self.max_client_stream;
        if s.is_done() || orphan_done {
            let s = self.streams.swap_remove(i);
            self.emit(s, stats);
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
