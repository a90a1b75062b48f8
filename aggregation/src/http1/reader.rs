//! One direction of an HTTP/1 connection: a state machine from bytes to complete messages.
//!
//! Bytes are parsed straight from the caller's slice; only an incomplete head (or chunk-size line,
//! trailer section, resync candidate) is copied into `buf`, bounded by the limit of the current state.
//! Bodies stream through without being buffered.

use super::body::{BodySink, Chunk, Framing, Step, Trailers, MAX_CHUNK_LINE};
use super::head::{self, FramingFields, Parsed, UpgradeKind};
use super::pairing::{Done, Meta, Pairing, Switch};
use super::resync::{self, Found};
use crate::exchange::{Limits, Request, Response};
use crate::parse::ParserStats;

/// Which messages this direction carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Request,
    Response,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    /// Looking for a message start; `line_start`: the next byte may begin a line.
    Resync {
        line_start: bool,
    },
    Head,
    Body(Framing),
    /// A request asked for a protocol switch (Upgrade, CONNECT); what follows depends on the response.
    /// Bytes are held in `buf` until then.
    AwaitSwitch(u64),
    /// The connection switched protocols: nothing more to parse here.
    Tunnel,
    /// Switched to HTTP/2 (h2c): the bytes that follow are collected in `buf` for the HTTP/2 parser.
    Handoff,
}

/// The message being read.
enum Current {
    Request(Request),
    Response(Response),
}

struct InProgress {
    msg: Current,
    /// Pairing index; `None` for an orphan response.
    idx: Option<u64>,
    incomplete: bool,
    /// Bytes were lost inside the body: stop keeping bytes (what follows is not contiguous).
    lossy: bool,
    /// After this message the connection switches (101, CONNECT 2xx).
    switch: Option<UpgradeKind>,
    /// The head exceeded `max_header_bytes`: the message is framed (to stay in sync) but dropped.
    dropped: bool,
    /// A request with `Expect: 100-continue` and no body byte seen yet: if its final response comes
    /// first, the client may skip the body (RFC 9110 §10.1.1).
    expect_continue: bool,
}

/// Shared per-connection context for one step.
pub(crate) struct Ctx<'a> {
    pub limits: &'a Limits,
    pub stats: &'a mut ParserStats,
    pub pairing: &'a mut Pairing,
    /// The request the client side holds bytes behind, awaiting a protocol switch decision.
    pub client_awaiting: Option<u64>,
}

pub(crate) struct Reader {
    role: Role,
    state: State,
    buf: Vec<u8>,
    cur: Option<InProgress>,
    /// The next message was found by resync: flag it.
    resynced: bool,
}

impl Reader {
    pub(crate) fn new(role: Role, mid_stream: bool) -> Self {
        Self {
            role,
            state: if mid_stream {
                State::Resync { line_start: true }
            } else {
                State::Head
            },
            buf: Vec::new(),
            cur: None,
            resynced: mid_stream,
        }
    }

    pub(crate) fn is_tunnel(&self) -> bool {
        matches!(self.state, State::Tunnel | State::Handoff)
    }

    /// Collecting bytes for HTTP/2 after an h2c switch.
    pub(crate) fn is_handoff(&self) -> bool {
        self.state == State::Handoff
    }

    /// Stops parsing after an h2c switch; returns the bytes held while awaiting it.
    pub(crate) fn stop_take_held(&mut self) -> Vec<u8> {
        self.state = State::Tunnel;
        self.cur = None;
        std::mem::take(&mut self.buf)
    }

    /// The index of the request this side is holding bytes for, awaiting a switch decision.
    pub(crate) fn awaiting_switch(&self) -> Option<u64> {
        match self.state {
            State::AwaitSwitch(idx) => Some(idx),
            _ => None,
        }
    }

    /// Resolves [`State::AwaitSwitch`]: on a switch, returns the held bytes (the new protocol's);
    /// otherwise parsing resumes on them.
    pub(crate) fn resolve_switch(&mut self, switched: bool, ctx: &mut Ctx<'_>) -> Vec<u8> {
        if switched {
            self.state = State::Tunnel;
            std::mem::take(&mut self.buf)
        } else {
            self.state = State::Head;
            let held = std::mem::take(&mut self.buf);
            self.feed(&held, ctx);
            Vec::new()
        }
    }

    /// Stops parsing; returns the bytes held for the next protocol (after an h2c switch).
    pub(crate) fn stop(&mut self) -> Vec<u8> {
        let held = if self.state == State::Handoff {
            std::mem::take(&mut self.buf)
        } else {
            Vec::new()
        };
        self.state = State::Tunnel;
        self.cur = None;
        self.buf = Vec::new();
        held
    }

    /// Parses `input`; returns how many bytes were taken (all of them unless [`Reader::paused`]).
    pub(crate) fn feed(&mut self, mut input: &[u8], ctx: &mut Ctx<'_>) -> usize {
        let total = input.len();
        if input.is_empty() && !self.buf.is_empty() {
            // Resuming after a pause: parse what was held.
            self.drain_buf(ctx);
        }
        while !input.is_empty() {
            if self.paused(ctx) {
                break;
            }
            match self.state {
                State::Tunnel => {
                    ctx.stats.tunnel_bytes += input.len() as u64;
                    return total;
                }
                State::Handoff => {
                    crate::copy::append(&mut self.buf, input);
                    return total;
                }
                _ => {}
            }
            if self.buf.is_empty() {
                match self.step(input, ctx) {
                    Some(n) => input = &input[n..],
                    None => {
                        let cap = self.hold_cap(ctx.limits);
                        if input.len() >= cap {
                            self.overflow(ctx);
                        } else {
                            crate::copy::append(&mut self.buf, input);
                            return total;
                        }
                    }
                }
            } else {
                // Append no more than the current state may hold; what is not needed is parsed from
                // `buf` too, then parsing continues straight from `input`.
                let cap = self.hold_cap(ctx.limits);
                let take = cap.saturating_sub(self.buf.len()).clamp(1, input.len());
                let old_len = self.buf.len();
                crate::copy::append(&mut self.buf, &input[..take]);
                input = &input[take..];
                if self.state == State::Head
                    && self.buf.len() < cap
                    && !head_may_end(&self.buf, old_len)
                {
                    // A head only completes at an empty line: re-parsing before one arrives would
                    // make a head sent a byte at a time cost O(n²).
                    continue;
                }
                self.drain_buf(ctx);
            }
        }
        total - input.len()
    }

    /// Parses what `buf` holds; leaves in it only bytes that need more.
    fn drain_buf(&mut self, ctx: &mut Ctx<'_>) {
        let buf = std::mem::take(&mut self.buf);
        let mut off = 0;
        while off < buf.len() {
            if self.paused(ctx) {
                // Kept as it is until the client side catches up (see `paused`).
                let mut buf = buf;
                buf.drain(..off);
                self.buf = buf;
                return;
            }
            if self.state == State::Tunnel {
                ctx.stats.tunnel_bytes += (buf.len() - off) as u64;
                off = buf.len();
                break;
            }
            if self.state == State::Handoff {
                // Everything after the switch belongs to HTTP/2.
                self.buf = buf[off..].to_vec();
                return;
            }
            match self.step(&buf[off..], ctx) {
                Some(n) => off += n,
                None => break,
            }
        }
        let rest = &buf[off..];
        if !rest.is_empty() && rest.len() >= self.hold_cap(ctx.limits) {
            self.overflow(ctx);
            // Whatever the overflow decided, the held bytes are dropped (counted as skipped).
            ctx.stats.resync_skipped_bytes += rest.len() as u64;
            return;
        }
        if !rest.is_empty() {
            let mut buf = buf;
            buf.drain(..off);
            self.buf = buf;
        }
    }

    /// A response side between messages whose last response answered the request the client side
    /// holds bytes behind (Upgrade/CONNECT not switched): the requests held there must be parsed
    /// before the next response head, which may answer one of them (a HEAD has no body).
    fn paused(&self, ctx: &Ctx<'_>) -> bool {
        self.role == Role::Response
            && self.state == State::Head
            && ctx
                .client_awaiting
                .is_some_and(|idx| ctx.pairing.answered_past(idx))
    }

    /// How many bytes the current state may hold while it needs more.
    fn hold_cap(&self, limits: &Limits) -> usize {
        match &self.state {
            State::Resync { .. } => 8192 + 1,
            State::Head | State::AwaitSwitch(_) => limits.max_header_bytes.max(1),
            State::Body(Framing::Chunked(Chunk::Trailers)) => limits.max_header_bytes.max(1),
            State::Body(_) => MAX_CHUNK_LINE,
            State::Tunnel | State::Handoff => usize::MAX,
        }
    }

    /// The held bytes can no longer complete what the state waits for.
    fn overflow(&mut self, ctx: &mut Ctx<'_>) {
        self.buf.clear();
        match self.state {
            State::Head => {
                ctx.stats.oversized_heads += 1;
                self.lost_sync(ctx);
            }
            State::AwaitSwitch(_) => {
                // The client kept talking without waiting for an answer: assume it switched.
                ctx.stats.upgrades += 1;
                self.state = State::Tunnel;
            }
            State::Body(_) => {
                ctx.stats.http1_framing_errors += 1;
                self.finish_current(ctx, true);
                self.lost_sync(ctx);
            }
            State::Resync { .. } => self.state = State::Resync { line_start: false },
            State::Tunnel | State::Handoff => {}
        }
    }

    /// Parses from the start of `data`. `Some(n)`: consumed `n` bytes (0 only with a state change);
    /// `None`: needs more bytes appended to `data`.
    fn step(&mut self, data: &[u8], ctx: &mut Ctx<'_>) -> Option<usize> {
        match &mut self.state {
            State::Resync { line_start } => {
                let found = match self.role {
                    Role::Request => resync::find_request(data, *line_start),
                    Role::Response => resync::find_response(data, *line_start),
                };
                match found {
                    Found::At(p) => {
                        ctx.stats.resync_skipped_bytes += p as u64;
                        self.state = State::Head;
                        Some(p)
                    }
                    Found::Skip(0) => None,
                    Found::Skip(p) => {
                        ctx.stats.resync_skipped_bytes += p as u64;
                        *line_start = data[p - 1] == b'\n';
                        Some(p)
                    }
                }
            }
            State::Head => match self.role {
                Role::Request => self.request_head(data, ctx),
                Role::Response => self.response_head(data, ctx),
            },
            State::Body(framing) => {
                let Some(cur) = self.cur.as_mut() else {
                    // A body state always has a message; recover rather than panic.
                    self.state = State::Head;
                    return Some(0);
                };
                if cur.expect_continue {
                    match body_skipped(cur, data, ctx.pairing) {
                        Some(true) => {
                            ctx.stats.expect_bodies_skipped += 1;
                            self.finish_current(ctx, false);
                            return Some(0);
                        }
                        Some(false) => cur.expect_continue = false,
                        None => return None,
                    }
                }
                let mut trailers = Trailers::new();
                let (step, dropped) = {
                    let (body, body_len, truncated) = match &mut cur.msg {
                        Current::Request(r) => {
                            (&mut r.headers, &mut r.body_len, &mut r.body_truncated)
                        }
                        Current::Response(r) => {
                            (&mut r.headers, &mut r.body_len, &mut r.body_truncated)
                        }
                    };
                    let max = if cur.lossy {
                        body.body_len()
                    } else {
                        ctx.limits.max_body_bytes
                    };
                    let mut sink = BodySink {
                        body,
                        body_len,
                        truncated,
                        max,
                    };
                    framing.step(data, &mut sink, &mut trailers)
                };
                ctx.stats.body_bytes_dropped += dropped;
                if !trailers.is_empty() {
                    match &mut cur.msg {
                        Current::Request(r) => r.headers.extend_from(&trailers),
                        Current::Response(r) => r.headers.extend_from(&trailers),
                    }
                }
                match step {
                    Step::Consumed(n) => Some(n),
                    Step::Done(n) => {
                        self.finish_current(ctx, false);
                        Some(n)
                    }
                    Step::NeedMore => None,
                    Step::Invalid => {
                        ctx.stats.http1_framing_errors += 1;
                        self.finish_current(ctx, true);
                        self.lost_sync(ctx);
                        Some(0)
                    }
                }
            }
            // Held in `buf` by `feed` until the switch is decided.
            State::AwaitSwitch(_) | State::Handoff => None,
            State::Tunnel => {
                ctx.stats.tunnel_bytes += data.len() as u64;
                Some(data.len())
            }
        }
    }

    fn request_head(&mut self, data: &[u8], ctx: &mut Ctx<'_>) -> Option<usize> {
        let (req, fields, n) = match head::parse_request(data, body_room(ctx.limits)) {
            Parsed::Complete((req, fields), n) => (req, fields, n),
            Parsed::Partial => return None,
            Parsed::Invalid => return self.bad_head(ctx),
        };
        let oversized = n > ctx.limits.max_header_bytes;
        let is_head = req.method == "HEAD";
        let connect = req.method == "CONNECT";
        let idx = ctx.pairing.request_head(is_head, connect, fields.upgrade);
        // Request body length, RFC 9112 §6.3 rules 3–7: chunked, else Content-Length, else none.
        let framing = match (&fields, fields.content_length) {
            (f, _) if f.chunked => Ok(Framing::Chunked(Chunk::Size)),
            (f, _) if f.transfer_encoding => Err(()),
            (_, Some(Ok(len))) => Ok(Framing::Length(len)),
            (_, Some(Err(()))) => Err(()),
            (_, None) => Ok(Framing::Length(0)),
        };
        let switch = if connect {
            Some(UpgradeKind::Other)
        } else {
            fields.upgrade
        };
        self.start(
            Current::Request(req),
            Some(idx),
            switch,
            framing,
            oversized,
            ctx,
        );
        if let (Some(cur), State::Body(_)) = (self.cur.as_mut(), &self.state) {
            cur.expect_continue = fields.expect_continue;
        }
        Some(n)
    }

    fn response_head(&mut self, data: &[u8], ctx: &mut Ctx<'_>) -> Option<usize> {
        let (resp, fields, n) = match head::parse_response(data, body_room(ctx.limits)) {
            Parsed::Complete((resp, fields), n) => (resp, fields, n),
            Parsed::Partial => return None,
            Parsed::Invalid => return self.bad_head(ctx),
        };
        let status = resp.status;
        // 1xx other than 101 are interim: the final response follows (RFC 9110 §15.2).
        if (100..200).contains(&status) && status != 101 {
            ctx.stats.interim_responses += 1;
            return Some(n);
        }
        let meta = ctx.pairing.peek_answer();
        if let Some(m) = meta {
            ctx.pairing.take_answer(m);
        }
        let m = meta.unwrap_or(Meta {
            idx: 0,
            head: false,
            connect: false,
            upgrade: None,
        });
        let success = (200..300).contains(&status);
        let switch = if status == 101 {
            Some(m.upgrade.unwrap_or(UpgradeKind::Other))
        } else if m.connect && success {
            Some(UpgradeKind::Other)
        } else {
            None
        };
        let framing = response_framing(status, &m, &fields, switch.is_some(), ctx.stats);
        let oversized = n > ctx.limits.max_header_bytes;
        self.start(
            Current::Response(resp),
            meta.map(|m| m.idx),
            switch,
            Ok(framing),
            oversized,
            ctx,
        );
        Some(n)
    }

    fn bad_head(&mut self, ctx: &mut Ctx<'_>) -> Option<usize> {
        ctx.stats.http1_head_errors += 1;
        self.lost_sync(ctx);
        Some(0)
    }

    /// Starts a message whose head was parsed; completes it at once when it has no body.
    fn start(
        &mut self,
        mut msg: Current,
        idx: Option<u64>,
        switch: Option<UpgradeKind>,
        framing: Result<Framing, ()>,
        oversized: bool,
        ctx: &mut Ctx<'_>,
    ) {
        if oversized {
            ctx.stats.oversized_heads += 1;
        }
        let bad_framing = framing.is_err();
        let framing = framing.unwrap_or(Framing::Length(0));
        if let Framing::Length(len) = framing {
            // Reserve the declared length up front, but never more than the limit allows.
            let want = usize::try_from(len)
                .unwrap_or(usize::MAX)
                .min(ctx.limits.max_body_bytes);
            match &mut msg {
                Current::Request(r) => r.headers.reserve_body(want),
                Current::Response(r) => r.headers.reserve_body(want),
            }
        }
        self.cur = Some(InProgress {
            msg,
            idx,
            incomplete: std::mem::take(&mut self.resynced),
            lossy: oversized,
            switch,
            dropped: oversized,
            expect_continue: false,
        });
        if bad_framing {
            // The body length cannot be known (RFC 9112 §6.3 rule 6): keep the head, find the next message.
            ctx.stats.http1_framing_errors += 1;
            self.finish_current(ctx, true);
            self.lost_sync(ctx);
        } else if framing == Framing::Length(0) {
            self.state = State::Head;
            self.finish_current(ctx, false);
        } else {
            self.state = State::Body(framing);
        }
    }

    /// The current message is complete (or cut short: `incomplete`); hand it to pairing.
    fn finish_current(&mut self, ctx: &mut Ctx<'_>, incomplete: bool) {
        let Some(cur) = self.cur.take() else { return };
        let incomplete = incomplete || cur.incomplete || cur.lossy;
        match cur.msg {
            Current::Request(r) => {
                ctx.stats.requests += 1;
                if r.body_truncated {
                    ctx.stats.truncated_bodies += 1;
                }
                match cur.idx {
                    Some(idx) if !cur.dropped => ctx.pairing.request_done(Done {
                        idx,
                        msg: r,
                        incomplete,
                    }),
                    // Dropped (oversized head): its response, if any, is an orphan.
                    _ => {}
                }
                if let (Some(_), Some(idx)) = (cur.switch, cur.idx) {
                    self.state = State::AwaitSwitch(idx);
                    // The response may already have decided (it was fed first).
                    if ctx.pairing.switch.is_some_and(|s| s.idx == idx) {
                        self.state = State::Tunnel;
                    }
                } else {
                    self.state = State::Head;
                }
            }
            Current::Response(r) => {
                ctx.stats.responses += 1;
                if r.body_truncated {
                    ctx.stats.truncated_bodies += 1;
                }
                let h2c = cur.switch == Some(UpgradeKind::H2c) && r.status == 101;
                match cur.idx {
                    Some(_) if cur.dropped => {}
                    // After an h2c 101 the final response comes on HTTP/2 stream 1 (RFC 7540 §3.2).
                    Some(_) if h2c => {}
                    Some(idx) => ctx.pairing.response_done(Done {
                        idx,
                        msg: r,
                        incomplete,
                    }),
                    None => ctx.stats.responses_orphaned += 1,
                }
                if let Some(kind) = cur.switch {
                    ctx.stats.upgrades += 1;
                    ctx.pairing.switch = Some(Switch {
                        idx: cur.idx.unwrap_or(u64::MAX),
                        kind,
                    });
                    self.state = if h2c { State::Handoff } else { State::Tunnel };
                } else {
                    self.state = State::Head;
                }
            }
        }
    }

    /// Parse error or overflow: look for the next message start after the current line.
    fn lost_sync(&mut self, ctx: &mut Ctx<'_>) {
        ctx.stats.resyncs += 1;
        self.buf.clear();
        self.resynced = true;
        self.state = State::Resync { line_start: false };
    }

    /// `lost` bytes are missing before the next feed.
    pub(crate) fn gap(&mut self, lost: u64, ctx: &mut Ctx<'_>) {
        match &mut self.state {
            State::Tunnel | State::Handoff => return,
            // A gap inside a body of known length keeps the framing: skip the lost bytes.
            State::Body(Framing::Length(rem)) | State::Body(Framing::Chunked(Chunk::Data(rem)))
                if lost < *rem && self.buf.is_empty() =>
            {
                *rem -= lost;
                if let Some(cur) = self.cur.as_mut() {
                    cur.lossy = true;
                    // Body bytes went by: it was not skipped.
                    cur.expect_continue = false;
                    add_body_len(&mut cur.msg, lost);
                }
                return;
            }
            State::Body(Framing::UntilClose) => {
                if let Some(cur) = self.cur.as_mut() {
                    cur.lossy = true;
                    add_body_len(&mut cur.msg, lost);
                }
                return;
            }
            _ => {}
        }
        if self.cur.is_some() {
            ctx.stats.incomplete_messages += 1;
            self.finish_current(ctx, true);
        }
        ctx.stats.resyncs += 1;
        self.buf.clear();
        self.resynced = true;
        self.state = State::Resync { line_start: true };
    }

    /// The connection closed. A close-delimited body ends here (RFC 9112 §6.3 rule 8); anything else
    /// in progress was cut short.
    pub(crate) fn finish(&mut self, ctx: &mut Ctx<'_>) {
        let skipped = self
            .cur
            .as_ref()
            .is_some_and(|c| c.expect_continue && self.buf.is_empty() && answered(c, ctx.pairing));
        match self.state {
            State::Body(Framing::UntilClose) => self.finish_current(ctx, false),
            // Told not to send the body, the client closed instead (RFC 9110 §10.1.1).
            State::Body(_) if skipped => {
                ctx.stats.expect_bodies_skipped += 1;
                self.finish_current(ctx, false);
            }
            _ if self.cur.is_some() => {
                ctx.stats.incomplete_messages += 1;
                self.finish_current(ctx, true);
            }
            _ => {}
        }
        self.buf = Vec::new();
    }

    /// Heap bytes held (for memory accounting in benches).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.buf.capacity()
    }

    /// `buf` only holds pieces split across feeds; once empty, a large one is not kept.
    pub(crate) fn trim(&mut self) {
        if self.buf.is_empty() && self.buf.capacity() > 1024 {
            self.buf = Vec::new();
        }
    }
}

/// Room a message's list is given for a declared body when it is made (most bodies, in one
/// allocation with the fields); a larger one is reserved when its framing is known.
fn body_room(limits: &Limits) -> usize {
    limits.max_body_bytes.min(64 * 1024)
}

/// The final response to this request started before any of its body: does `data` (what the
/// client sent next) start the next request instead of the body? RFC 9110 §10.1.1 lets a client that
/// sent `Expect: 100-continue` and got a final status (417, 401, 413…) skip the content; on a kept-alive
/// connection the next request head follows at once. `Some(false)`: it is the body after all (or
/// the response has not come yet); `None`: too few bytes to tell.
///
/// Trade-off: a body that itself starts with a request line would be taken for a request; a
/// client that sends the body after a final status is still read right, which is the common case.
fn body_skipped(cur: &InProgress, data: &[u8], pairing: &Pairing) -> Option<bool> {
    if !answered(cur, pairing) {
        return Some(false);
    }
    match resync::find_request(data, true) {
        Found::At(0) => Some(true),
        Found::Skip(0) => None,
        _ => Some(false),
    }
}

/// A final response to `cur` (a request still waiting for its first body byte) has started.
fn answered(cur: &InProgress, pairing: &Pairing) -> bool {
    cur.idx.is_some_and(|idx| pairing.answered_past(idx))
}

/// Could the bytes appended at `old_len` have completed a head? Only an empty line ends one
/// (LF CR LF or LF LF, RFC 9112 §2.1); the check looks back two bytes for one split across feeds.
fn head_may_end(buf: &[u8], old_len: usize) -> bool {
    let from = old_len.saturating_sub(2);
    memchr::memchr_iter(b'\n', &buf[from..]).any(|i| {
        let rest = &buf[from + i + 1..];
        matches!(rest, [] | [b'\r'] | [b'\n', ..] | [b'\r', b'\n', ..])
    })
}

fn add_body_len(msg: &mut Current, n: u64) {
    let (len, truncated) = match msg {
        Current::Request(r) => (&mut r.body_len, &mut r.body_truncated),
        Current::Response(r) => (&mut r.body_len, &mut r.body_truncated),
    };
    *len += n;
    *truncated = true;
}

/// Response body length, RFC 9112 §6.3 rules 1–8.
fn response_framing(
    status: u16,
    m: &Meta,
    f: &FramingFields,
    switch: bool,
    stats: &mut ParserStats,
) -> Framing {
    if m.head || status == 204 || status == 304 || switch {
        return Framing::Length(0);
    }
    if f.transfer_encoding {
        return if f.chunked {
            Framing::Chunked(Chunk::Size)
        } else {
            Framing::UntilClose
        };
    }
    match f.content_length {
        Some(Ok(len)) => Framing::Length(len),
        Some(Err(())) => {
            stats.http1_framing_errors += 1;
            Framing::UntilClose
        }
        None => Framing::UntilClose,
    }
}
