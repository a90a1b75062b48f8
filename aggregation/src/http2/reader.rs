//! One direction of an HTTP/2 connection: bytes to frames.
//!
//! Frames that carry what we keep (HEADERS, CONTINUATION, PUSH_PROMISE, SETTINGS, RST_STREAM, GOAWAY)
//! are handed over whole; when one already sits whole in the caller's slice it is not copied. DATA is
//! streamed without buffering. Everything else is skipped by length. Every frame length is checked
//! against a cap before a byte is held. Frame lengths also let a gap inside one frame be skipped without
//! losing sync; a gap that may span frame boundaries sends the reader looking for a plausible chain of
//! frame headers (RFC 9113 §4.1 rules a sender must follow).

use super::frame::{flag, kind, Head, DEFAULT_MAX_FRAME, HEAD_LEN, PREFACE};

/// Bytes examined before resync settles for a single plausible header instead of a chain of two.
const RESYNC_WINDOW: usize = 64 * 1024;
/// SETTINGS and GOAWAY payloads kept at most (a SETTINGS frame with every known parameter is 42
/// bytes; GOAWAY debug data is free text we do not need).
const SMALL_FRAME_CAP: usize = 4096;

/// What the reader hands to the connection state.
pub(crate) trait FrameSink {
    /// A whole frame of a kind that is kept (not DATA).
    fn frame(&mut self, head: Head, payload: &[u8]);
    /// DATA payload bytes (padding removed) of `head`'s frame; may come in pieces.
    fn data(&mut self, head: &Head, bytes: &[u8]);
    /// The DATA frame `head` is complete (its END_STREAM flag now applies).
    fn data_end(&mut self, head: &Head);
    /// A whole DATA frame without padding: what [`FrameSink::data`] (unless empty) and
    /// [`FrameSink::data_end`] do, in one call.
    fn data_frame(&mut self, head: &Head, payload: &[u8]) {
        if !payload.is_empty() {
            self.data(head, payload);
        }
        self.data_end(head);
    }
    /// `lost` bytes of a DATA frame's payload went missing (a gap inside the frame).
    fn lost_data(&mut self, head: &Head, lost: u64);
    /// A header-carrying frame was not kept (too large, or partly lost): its block is gone.
    fn lost_block(&mut self, head: &Head);
    /// Bytes were lost or skipped and frame sync was found again: anything in between is unknown.
    fn resynced(&mut self);
    /// A frame broke a rule of RFC 9113 (counted, skipped).
    fn frame_error(&mut self);
    /// A frame of a type that carries nothing we keep, or an unknown type (§5.5), was skipped.
    fn skipped(&mut self, head: &Head);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Expecting the rest of the client preface; `usize` bytes of it seen.
    Preface(usize),
    /// Looking for a frame boundary.
    Resync,
    /// Expecting a frame header (`hold` has the first bytes).
    Head,
    /// Collecting the payload of a kept frame in `payload`.
    Keep(Head),
    /// Inside a DATA frame: `pad` is the padding length once read, `data`/`pad_left` what is left.
    Data {
        head: Head,
        pad_read: bool,
        data: u32,
        pad_left: u32,
    },
    /// Ignoring `u32` more payload bytes.
    Skip(u32),
}

pub(crate) struct FrameReader {
    state: State,
    /// Partial frame header, or bytes under examination while resyncing.
    hold: Vec<u8>,
    payload: Vec<u8>,
    /// Largest header-carrying frame kept.
    block_cap: usize,
    /// Frame length accepted as plausible when resyncing (SETTINGS_MAX_FRAME_SIZE of the receiver).
    pub max_frame: u32,
}

impl FrameReader {
    /// `preface`: this is the client side from the connection start (the 24-byte preface comes first).
    pub(crate) fn new(preface: bool, mid_stream: bool, block_cap: usize) -> Self {
        let state = if mid_stream {
            State::Resync
        } else if preface {
            State::Preface(0)
        } else {
            State::Head
        };
        Self {
            state,
            hold: Vec::new(),
            payload: Vec::new(),
            block_cap,
            max_frame: DEFAULT_MAX_FRAME,
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.hold.capacity() + self.payload.capacity()
    }

    /// Drops buffers a large frame or a resync grew, once they are empty.
    pub(crate) fn trim(&mut self) {
        if self.hold.is_empty() && self.hold.capacity() > 1024 {
            self.hold = Vec::new();
        }
        if self.payload.is_empty() && self.payload.capacity() > 16 * 1024 {
            self.payload = Vec::new();
        }
    }

    pub(crate) fn feed(&mut self, mut input: &[u8], sink: &mut impl FrameSink) {
        while !input.is_empty() {
            match self.state {
                State::Preface(seen) => {
                    let n = (PREFACE.len() - seen).min(input.len());
                    if input[..n] != PREFACE[seen..seen + n] {
                        sink.frame_error();
                        self.state = State::Resync;
                        continue;
                    }
                    input = &input[n..];
                    self.state = if seen + n == PREFACE.len() {
                        State::Head
                    } else {
                        State::Preface(seen + n)
                    };
                }
                State::Head => {
                    if self.hold.is_empty() && input.len() >= HEAD_LEN {
                        let mut raw = [0u8; HEAD_LEN];
                        raw.copy_from_slice(&input[..HEAD_LEN]);
                        let head = Head::parse(&raw);
                        let end = HEAD_LEN + head.len as usize;
                        if let Some(payload) = input.get(HEAD_LEN..end) {
                            if self.whole(head, payload, sink) {
                                input = &input[end..];
                                continue;
                            }
                        }
                        input = &input[HEAD_LEN..];
                        self.start(head, sink);
                    } else {
                        let n = (HEAD_LEN - self.hold.len()).min(input.len());
                        self.hold.extend_from_slice(&input[..n]);
                        input = &input[n..];
                        if self.hold.len() == HEAD_LEN {
                            let mut raw = [0u8; HEAD_LEN];
                            raw.copy_from_slice(&self.hold);
                            self.hold.clear();
                            self.start(Head::parse(&raw), sink);
                        }
                    }
                }
                State::Keep(head) => {
                    let len = head.len as usize;
                    if self.payload.is_empty() && input.len() >= len {
                        self.state = State::Head;
                        sink.frame(head, &input[..len]);
                        input = &input[len..];
                    } else {
                        let n = (len - self.payload.len()).min(input.len());
                        crate::copy::append(&mut self.payload, &input[..n]);
                        input = &input[n..];
                        if self.payload.len() == len {
                            self.state = State::Head;
                            let payload = std::mem::take(&mut self.payload);
                            sink.frame(head, &payload);
                            self.payload = payload;
                            self.payload.clear();
                        }
                    }
                }
                State::Data {
                    head,
                    pad_read,
                    data,
                    pad_left,
                } => {
                    if !pad_read {
                        // PADDED: the first payload octet is the pad length (RFC 9113 §6.1).
                        let pad = u32::from(input[0]);
                        input = &input[1..];
                        if pad >= head.len {
                            // Padding as long as the payload is a PROTOCOL_ERROR; skip the rest.
                            sink.frame_error();
                            self.state = State::Skip(head.len - 1);
                            continue;
                        }
                        self.state = State::Data {
                            head,
                            pad_read: true,
                            data: head.len - 1 - pad,
                            pad_left: pad,
                        };
                        if head.len - 1 == pad {
                            self.end_data(head, pad, sink);
                        }
                        continue;
                    }
                    let n = (data as usize).min(input.len());
                    if n > 0 {
                        sink.data(&head, &input[..n]);
                        input = &input[n..];
                    }
                    let data = data - n as u32;
                    let skip = (pad_left as usize).min(input.len());
                    input = &input[skip..];
                    let pad_left = pad_left - skip as u32;
                    self.state = State::Data {
                        head,
                        pad_read,
                        data,
                        pad_left,
                    };
                    if data == 0 && pad_left == 0 {
                        self.state = State::Head;
                        sink.data_end(&head);
                    }
                }
                State::Skip(left) => {
                    let n = (left as usize).min(input.len());
                    input = &input[n..];
                    self.state = if left as usize == n {
                        State::Head
                    } else {
                        State::Skip(left - n as u32)
                    };
                }
                State::Resync => {
                    let room = RESYNC_WINDOW - self.hold.len();
                    let n = room.min(input.len());
                    self.hold.extend_from_slice(&input[..n]);
                    input = &input[n..];
                    if let Some(rest) = self.resync(sink) {
                        self.feed(&rest, sink);
                    }
                }
            }
        }
    }

    fn end_data(&mut self, head: Head, pad: u32, sink: &mut impl FrameSink) {
        if pad == 0 {
            self.state = State::Head;
            sink.data_end(&head);
        } else {
            self.state = State::Data {
                head,
                pad_read: true,
                data: 0,
                pad_left: pad,
            };
        }
    }

    /// A frame whose payload is all in the input, handled at once when it is one of the common
    /// cases (what `start` and the states it picks would do for it, without going through them:
    /// most frames arrive whole, and each state change was a store, a reload and a hard-to-predict
    /// dispatch). `false`: anything else, left to `start`.
    fn whole(&mut self, head: Head, payload: &[u8], sink: &mut impl FrameSink) -> bool {
        let len = payload.len();
        match head.kind {
            kind::DATA if !head.has(flag::PADDED) => sink.data_frame(&head, payload),
            kind::HEADERS | kind::CONTINUATION | kind::PUSH_PROMISE if len <= self.block_cap => {
                sink.frame(head, payload)
            }
            kind::RST_STREAM if len == 4 => sink.frame(head, payload),
            kind::SETTINGS | kind::GOAWAY if len <= SMALL_FRAME_CAP => sink.frame(head, payload),
            kind::DATA
            | kind::HEADERS
            | kind::CONTINUATION
            | kind::PUSH_PROMISE
            | kind::RST_STREAM
            | kind::SETTINGS
            | kind::GOAWAY => return false,
            _ => sink.skipped(&head),
        }
        true
    }

    /// Chooses how to read the payload of a frame whose header was just read.
    fn start(&mut self, head: Head, sink: &mut impl FrameSink) {
        let len = head.len as usize;
        self.state = match head.kind {
            kind::DATA if head.has(flag::PADDED) && head.len == 0 => {
                sink.frame_error();
                State::Head
            }
            kind::DATA => State::Data {
                head,
                pad_read: !head.has(flag::PADDED),
                data: head.len,
                pad_left: 0,
            },
            kind::HEADERS | kind::CONTINUATION | kind::PUSH_PROMISE if len > self.block_cap => {
                sink.lost_block(&head);
                State::Skip(head.len)
            }
            kind::HEADERS | kind::CONTINUATION | kind::PUSH_PROMISE => State::Keep(head),
            kind::RST_STREAM if len == 4 => State::Keep(head),
            kind::SETTINGS | kind::GOAWAY if len <= SMALL_FRAME_CAP => State::Keep(head),
            kind::RST_STREAM | kind::SETTINGS | kind::GOAWAY => {
                sink.frame_error();
                State::Skip(head.len)
            }
            _ => {
                sink.skipped(&head);
                State::Skip(head.len)
            }
        };
        // Empty payloads complete at once (SETTINGS ACK, empty DATA with END_STREAM).
        match self.state {
            State::Keep(h) if h.len == 0 => {
                self.state = State::Head;
                sink.frame(h, &[]);
            }
            State::Data {
                head,
                pad_read: true,
                data: 0,
                ..
            } => {
                self.state = State::Head;
                sink.data_end(&head);
            }
            State::Skip(0) => self.state = State::Head,
            _ => {}
        }
    }

    /// Looks for a frame boundary in `hold`; on success returns the bytes from there on.
    fn resync(&mut self, sink: &mut impl FrameSink) -> Option<Vec<u8>> {
        let buf = &self.hold;
        let mut p = 0;
        while p + HEAD_LEN <= buf.len() {
            let raw: &[u8; HEAD_LEN] = buf[p..p + HEAD_LEN].try_into().ok()?;
            if Head::plausible(raw, self.max_frame) {
                let next = p + HEAD_LEN + Head::parse(raw).len as usize;
                let confirmed = match buf.get(next..next + HEAD_LEN) {
                    Some(raw2) => raw2
                        .try_into()
                        .is_ok_and(|r| Head::plausible(r, self.max_frame)),
                    // Cannot see the next header yet: wait unless the window is full.
                    None if buf.len() < RESYNC_WINDOW => {
                        self.hold.drain(..p);
                        return None;
                    }
                    None => true,
                };
                if confirmed {
                    let rest = self.hold.split_off(p);
                    self.hold = Vec::new();
                    self.state = State::Head;
                    sink.resynced();
                    return Some(rest);
                }
            }
            p += 1;
        }
        // Keep the last bytes: a header may start there.
        let keep = buf.len().min(HEAD_LEN - 1);
        let cut = buf.len() - keep;
        self.hold.drain(..cut);
        None
    }

    /// `lost` bytes are missing before the next feed.
    pub(crate) fn gap(&mut self, lost: u64, sink: &mut impl FrameSink) {
        match self.state {
            // Inside a frame of known length the gap can be skipped without losing sync.
            State::Skip(left) if lost < u64::from(left) => {
                self.state = State::Skip(left - lost as u32);
                return;
            }
            State::Data {
                head,
                pad_read: true,
                data,
                pad_left,
            } if lost < u64::from(data) => {
                self.state = State::Data {
                    head,
                    pad_read: true,
                    data: data - lost as u32,
                    pad_left,
                };
                sink.lost_data(&head, lost);
                return;
            }
            State::Keep(head) if lost < u64::from(head.len) - self.payload.len() as u64 => {
                let left = head.len - self.payload.len() as u32 - lost as u32;
                self.payload.clear();
                if matches!(
                    head.kind,
                    kind::HEADERS | kind::CONTINUATION | kind::PUSH_PROMISE
                ) {
                    sink.lost_block(&head);
                }
                self.state = State::Skip(left);
                return;
            }
            _ => {}
        }
        if let State::Keep(head) = self.state {
            if matches!(
                head.kind,
                kind::HEADERS | kind::CONTINUATION | kind::PUSH_PROMISE
            ) {
                sink.lost_block(&head);
            }
        }
        self.hold.clear();
        self.payload.clear();
        self.state = State::Resync;
    }
}

#[cfg(test)]
mod tests {
    use super::super::frame::flag;
    use super::*;

    /// Every call, in order, with what it carried.
    #[derive(Default)]
    struct Record(Vec<String>);

    impl FrameSink for Record {
        fn frame(&mut self, head: Head, payload: &[u8]) {
            self.0.push(format!("frame {head:?} {payload:?}"));
        }
        fn data(&mut self, head: &Head, bytes: &[u8]) {
            // Pieces of one frame's data are joined: how they were split is the feed's business.
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            match self.0.last_mut() {
                Some(last) if last.starts_with(&format!("data {head:?} ")) => last.push_str(&hex),
                _ => self.0.push(format!("data {head:?} {hex}")),
            }
        }
        fn data_end(&mut self, head: &Head) {
            self.0.push(format!("data_end {head:?}"));
        }
        fn lost_data(&mut self, head: &Head, lost: u64) {
            self.0.push(format!("lost_data {head:?} {lost}"));
        }
        fn lost_block(&mut self, head: &Head) {
            self.0.push(format!("lost_block {head:?}"));
        }
        fn resynced(&mut self) {
            self.0.push("resynced".into());
        }
        fn frame_error(&mut self) {
            self.0.push("frame_error".into());
        }
        fn skipped(&mut self, head: &Head) {
            self.0.push(format!("skipped {head:?}"));
        }
    }

    fn frame(out: &mut Vec<u8>, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes()[1..]);
        out.extend_from_slice(&[kind, flags]);
        out.extend_from_slice(&stream.to_be_bytes());
        out.extend_from_slice(payload);
    }

    /// Frames of every kind, lengths that are fine and that are not: handled whole (the input
    /// holds each frame entirely) or through the states (byte by byte), the sink hears the same.
    #[test]
    fn whole_frames_are_read_as_the_states_read_them() {
        let mut b = PREFACE.to_vec();
        frame(&mut b, kind::SETTINGS, 0, 0, &[0, 4, 0, 0, 0xff, 0xff]);
        frame(&mut b, kind::SETTINGS, flag::ACK, 0, &[]);
        frame(&mut b, kind::HEADERS, flag::END_HEADERS, 1, &[0x82, 0x84]);
        frame(&mut b, kind::HEADERS, 0, 3, &[0x82]);
        frame(&mut b, kind::CONTINUATION, flag::END_HEADERS, 3, &[0x84]);
        frame(&mut b, kind::DATA, 0, 1, b"body");
        frame(&mut b, kind::DATA, flag::END_STREAM, 1, &[]);
        frame(
            &mut b,
            kind::DATA,
            flag::PADDED | flag::END_STREAM,
            3,
            &[2, b'x', 0, 0],
        );
        frame(&mut b, kind::DATA, flag::PADDED, 3, &[9, 1]);
        frame(&mut b, kind::WINDOW_UPDATE, 0, 0, &[0, 0, 1, 0]);
        frame(&mut b, kind::PING, 0, 0, &[0; 8]);
        frame(&mut b, kind::PRIORITY, 0, 1, &[0; 5]);
        frame(&mut b, 0x42, 0, 1, b"unknown");
        frame(&mut b, kind::RST_STREAM, 0, 1, &[0, 0, 0, 8]);
        frame(&mut b, kind::RST_STREAM, 0, 1, &[0, 0, 8]);
        frame(&mut b, kind::HEADERS, flag::END_HEADERS, 5, &[0x82; 40]);
        frame(&mut b, kind::GOAWAY, 0, 0, &[0, 0, 0, 1, 0, 0, 0, 0]);
        frame(&mut b, kind::GOAWAY, 0, 0, &[0; SMALL_FRAME_CAP + 1]);
        let read = |pieces: &mut dyn Iterator<Item = &[u8]>| {
            // A block cap below the last HEADERS frame: lost, not kept.
            let mut r = FrameReader::new(true, false, 32);
            let mut sink = Record::default();
            for p in pieces {
                r.feed(p, &mut sink);
            }
            sink.0
        };
        let whole = read(&mut std::iter::once(&b[..]));
        assert_eq!(whole, read(&mut b.chunks(1)));
        assert_eq!(whole, read(&mut b.chunks(7)));
        assert!(whole.iter().any(|e| e.starts_with("lost_block")));
        assert_eq!(whole.iter().filter(|e| *e == "frame_error").count(), 3);
    }
}
