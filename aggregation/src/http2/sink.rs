//! How one direction's frames change the connection: header blocks (HEADERS, PUSH_PROMISE,
//! CONTINUATION) decoded and applied to streams, DATA appended to bodies, RST_STREAM, GOAWAY and
//! SETTINGS noted (RFC 9113 §6).

use super::frame::{self, flag, kind, Head};
use super::hpack::{self, Fields};
use super::reader::FrameSink;
use super::{block_cap, ix, kept_budget, stream, Block, Streams};
use crate::exchange::{Limits, Request, Response, Side, PREFIX};
use crate::parse::ParserStats;

/// Largest list size remembered to size the next message's list (a browser's request list is 1–2
/// KiB; one huge block should not make every later list as large).
const LIST_GUESS_MAX: usize = 8 * 1024;
/// Room beyond the last list's size given to the next (see `new_message`).
const LIST_SLACK: usize = 64;

/// One direction's view of the connection state, given to its frame reader.
pub(super) struct Sink<'a> {
    pub(super) st: &'a mut Streams,
    pub(super) side: Side,
    pub(super) limits: &'a Limits,
    pub(super) stats: &'a mut ParserStats,
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
        if promised.is_none() {
            let at = self.st.position(id);
            if let Some(fresh) = self.fresh_message(id, at) {
                return self.new_message(id, at, end_stream, block, fresh);
            }
            if let Some(i) = at {
                if self.trailers(i, id, end_stream, block) {
                    return;
                }
            }
        }
        // Pushed requests, orphans, a client's PUSH_PROMISE: decoded into the connection's scratch
        // list (no allocation once it has grown), then copied where they belong.
        let mut fields = std::mem::take(&mut self.st.scratch);
        fields.clear();
        let decoded = self.st.decoders[ix(self.side)].decode(
            block,
            self.limits.max_header_bytes,
            &mut fields,
        );
        let incomplete = self.decoded(decoded);
        self.apply_block(id, promised, end_stream, &fields, incomplete);
        self.st.scratch = fields;
    }

    /// Counts what decoding a block noticed; returns whether the block's fields are incomplete.
    fn decoded(&mut self, decoded: Result<hpack::Decoded, hpack::HpackError>) -> bool {
        match decoded {
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
        }
    }

    /// Will a block on stream `id` start a message (the request, or the response of a request we
    /// saw)? Then it is decoded straight into that message's own list; returns the room to give it.
    /// `at`: where the stream is ([`Streams::position`]).
    fn fresh_message(&self, id: u32, at: Option<usize>) -> Option<usize> {
        let guess = self.st.list_guess[ix(self.side)] + self.st.body_guess[ix(self.side)];
        let s = at.and_then(|i| self.st.streams.get(i));
        match self.side {
            Side::Client => s.is_none_or(|s| s.request.is_none()).then_some(guess),
            Side::Server => match s {
                Some(s) if s.response.is_none() => Some(if s.grpc == Some(true) {
                    guess + stream::GRPC_TRAILER_BYTES + stream::GRPC_TRAILER_FIELDS * PREFIX
                } else {
                    guess
                }),
                Some(_) => None,
                // A response to a request we did not see is an orphan (see `apply_block`).
                None => (!self.st.incomplete && id > self.st.max_client_stream).then_some(guess),
            },
        }
    }

    /// A block that starts a message: decoded into the list the message keeps (sized like the last
    /// one of this side), noting where the fields it is built from are. Saves copying the list
    /// from the scratch list and scanning it again (issue 5).
    fn new_message(
        &mut self,
        id: u32,
        at: Option<usize>,
        end_stream: bool,
        block: &[u8],
        room: usize,
    ) {
        let side = ix(self.side);
        // A connection's first blocks are literals (nothing indexed yet): Huffman codes expand by
        // at most 8/5, each field has its prefix. Later ones are mostly indexed: sized like the last.
        let mut list = Fields::with_capacity(0, room.max(block.len() * 2));
        let mut notes = match self.side {
            Side::Client => stream::Notes::request(),
            Side::Server => stream::Notes::response(),
        };
        let decoded = self.st.decoders[side].decode_observed(
            block,
            self.limits.max_header_bytes,
            &mut list,
            &mut notes,
        );
        // With some slack: lists on a connection differ by a few bytes (ids, counters, cookies),
        // and one byte beyond the room would regrow the list.
        self.st.list_guess[side] = (list.end() + LIST_SLACK).min(LIST_GUESS_MAX);
        let incomplete = self.decoded(decoded);
        let max_body = self.limits.max_body_bytes;
        let stats = &mut *self.stats;
        if self.side == Side::Client {
            self.st.max_client_stream = self.st.max_client_stream.max(id);
        } else if notes
            .first_status()
            .is_some_and(|s| (100..200).contains(&s))
        {
            // Interim response (RFC 9113 §8.1): the final one follows.
            stats.interim_responses += 1;
            return;
        }
        // Decoding did not change the stream list: where the stream was is where it is.
        let Some(i) = self.st.open_at(id, at, stats) else {
            return;
        };
        if let Some(s) = self.st.streams.get_mut(i) {
            s.incomplete |= incomplete;
            match self.side {
                Side::Client => {
                    let request = s.request.insert(Request::default());
                    s.grpc = stream::request_into(request, list, notes, max_body);
                    s.req_done |= end_stream;
                }
                Side::Server => {
                    let response = s.response.insert(Response::default());
                    stream::response_into(response, list, notes, max_body);
                    s.resp_done |= end_stream;
                }
            }
        }
        self.st.maybe_done_at(i, self.stats);
    }

    /// A block after the message's first on stream `id` (trailers, RFC 9113 §8.1): decoded
    /// straight onto the end of the message's list, as `apply_block` would append it from the
    /// scratch list (gRPC responses all end with one, issue 5). `i`: where the stream is in the
    /// list. `false`: its message is not there (the general path handles it).
    fn trailers(&mut self, i: usize, id: u32, end_stream: bool, block: &[u8]) -> bool {
        let side = ix(self.side);
        let st = &mut *self.st;
        let Some(s) = st.streams.get_mut(i) else {
            return false;
        };
        let list = match self.side {
            Side::Client => s.request.as_mut().map(|r| &mut r.headers),
            Side::Server => s.response.as_mut().map(|r| &mut r.headers),
        };
        let Some(list) = list else {
            return false;
        };
        let mark = list.mark();
        let mut notes = stream::TrailerNotes::default();
        let decoded = st.decoders[side].decode_observed(
            block,
            self.limits.max_header_bytes,
            list,
            &mut notes,
        );
        let status = notes.first_status(list);
        let grpc = notes.grpc(list);
        let incomplete = self.decoded(decoded);
        let Some(s) = self.st.streams.get_mut(i) else {
            return true;
        };
        match self.side {
            Side::Client => {
                self.st.max_client_stream = self.st.max_client_stream.max(id);
                s.incomplete |= incomplete;
                if s.grpc.is_none() {
                    s.grpc = grpc;
                }
                s.req_done |= end_stream;
            }
            Side::Server => {
                if status.is_some_and(|s| (100..200).contains(&s)) {
                    // Interim response (RFC 9113 §8.1): the final one follows; nothing is kept.
                    if let Some(r) = &mut s.response {
                        r.headers.reset(mark);
                    }
                    self.stats.interim_responses += 1;
                    return true;
                }
                s.incomplete |= incomplete;
                s.resp_done |= end_stream;
            }
        }
        self.st.maybe_done_at(i, self.stats);
        true
    }

    fn apply_block(
        &mut self,
        id: u32,
        promised: Option<u32>,
        end_stream: bool,
        fields: &Fields,
        incomplete: bool,
    ) {
        let max_body = self.limits.max_body_bytes;
        match (self.side, promised) {
            (Side::Server, Some(pid)) => {
                // A pushed request (RFC 9113 §8.4): its response follows on `pid`.
                let stats = &mut *self.stats;
                if let Some(s) = self.st.open(pid, stats) {
                    let (request, grpc) = stream::request_from(fields, max_body);
                    s.request = Some(request);
                    s.grpc = grpc;
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
                        Some(r) => {
                            r.headers.extend_from(fields);
                            if s.grpc.is_none() {
                                s.grpc = fields
                                    .find(b"content-type")
                                    .map(|v| v.starts_with(b"application/grpc"));
                            }
                        }
                        None => {
                            let (request, grpc) = stream::request_from(fields, max_body);
                            s.request = Some(request);
                            s.grpc = grpc;
                        }
                    }
                    s.req_done |= end_stream;
                }
                self.st.maybe_done(id, self.stats);
            }
            (Side::Server, None) => {
                let status = fields.find(b":status").map(stream::parse_status);
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
                        Some(r) => r.headers.extend_from(fields),
                        None => s.response = Some(stream::response_from(fields, max_body)),
                    }
                    s.resp_done |= end_stream;
                }
                self.st.maybe_done(id, self.stats);
            }
        }
    }

    /// DATA bytes for the stream at `i` of the list.
    fn append_data(&mut self, i: usize, bytes: &[u8]) {
        let room = kept_budget(self.limits).saturating_sub(self.st.kept);
        let limit = self.limits.max_body_bytes;
        let side = self.side;
        let Some(s) = self.st.streams.get_mut(i) else {
            return;
        };
        let (msg, lossy) = match side {
            Side::Client => (
                s.request
                    .as_mut()
                    .map(|r| (&mut r.headers, &mut r.body_len, &mut r.body_truncated)),
                s.req_lossy,
            ),
            Side::Server => (
                s.response
                    .as_mut()
                    .map(|r| (&mut r.headers, &mut r.body_len, &mut r.body_truncated)),
                s.resp_lossy,
            ),
        };
        let Some((body, len, truncated)) = msg else {
            return;
        };
        let before = body.body_len();
        // After lost bytes nothing more is kept (not contiguous); otherwise the per-message limit and
        // the connection's budget both apply.
        let max = if lossy {
            before
        } else {
            limit.min(before + room)
        };
        let dropped = body.keep_body(bytes, max, len, truncated);
        // What was not dropped was kept.
        let kept = bytes.len() - dropped as usize;
        self.st.kept += kept;
        self.stats.body_bytes_dropped += dropped;
    }

    /// The DATA frame `head` ended; `at`: where its stream is.
    fn end_data(&mut self, head: &Head, at: Option<usize>) {
        self.stats.h2_frames += 1;
        if !head.has(flag::END_STREAM) {
            return;
        }
        let Some(i) = at else {
            return;
        };
        if let Some(s) = self.st.streams.get_mut(i) {
            match self.side {
                Side::Client => s.req_done = true,
                Side::Server => s.resp_done = true,
            }
        }
        self.st.maybe_done_at(i, self.stats);
    }

    /// GOAWAY (RFC 9113 §6.8): streams the peer of the sender opened above Last-Stream-ID were not and
    /// will not be processed, so no response is coming: they are emitted now (unanswered) instead of
    /// waiting for the connection to end.
    fn goaway(&mut self, payload: &[u8]) {
        self.stats.h2_goaways += 1;
        let Some(&[a, b, c, d, ..]) = payload.first_chunk::<8>() else {
            // Shorter than its fixed 8 octets (§6.8): a FRAME_SIZE_ERROR; nothing to act on.
            self.stats.h2_frame_errors += 1;
            return;
        };
        let last = u32::from_be_bytes([a, b, c, d]) & 0x7fff_ffff;
        // Client-initiated streams are odd, server-initiated (pushed) ones even (§5.1.1).
        let peer_parity = match self.side {
            Side::Server => 1,
            Side::Client => 0,
        };
        self.st.in_order();
        let mut i = 0;
        while i < self.st.streams.len() {
            let id = self.st.streams[i].id;
            if id > last && id % 2 == peer_parity {
                let s = self.st.streams.remove(i);
                self.st.emit(s, self.stats);
            } else {
                i += 1;
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
                    let s = self.st.streams.swap_remove(i);
                    self.st.emit(s, self.stats);
                }
            }
            kind::GOAWAY => self.goaway(payload),
            _ => {}
        }
    }

    fn data(&mut self, head: &Head, bytes: &[u8]) {
        if let Some(i) = self.st.position(head.stream) {
            self.append_data(i, bytes);
        }
    }

    fn data_end(&mut self, head: &Head) {
        let at = self.st.position(head.stream);
        self.end_data(head, at);
    }

    /// One lookup of the stream for the whole frame (gRPC messages are small DATA frames, each
    /// looked up twice before, issue 5).
    fn data_frame(&mut self, head: &Head, payload: &[u8]) {
        let at = self.st.position(head.stream);
        if let Some(i) = at.filter(|_| !payload.is_empty()) {
            self.append_data(i, payload);
        }
        self.end_data(head, at);
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
