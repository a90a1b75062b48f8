//! Pairing responses with requests by position (HTTP/1.1 answers in request order, RFC 9112 §9.3.2).
//!
//! Every request head gets an index. A final response answers the oldest request whose response has
//! not started; it takes that request's index. Completed messages wait in two queues and are matched
//! by index, so a lost message on either side never shifts later pairs: a request whose index is
//! passed over is emitted alone, a response whose request is gone is dropped as an orphan.
//!
//! Feeds are assumed to follow capture order across the two sides (a response's first bytes are fed
//! after its request's head). When the connection is known from its start (no mid-stream join, no gap),
//! a response that still arrives first is kept and paired with the next request; otherwise such a
//! response belongs to a request that was never seen and is an orphan.

use std::collections::VecDeque;
use std::net::SocketAddr;

use super::head::UpgradeKind;
use crate::exchange::{Exchange, Protocol, Request, Response};
use crate::parse::ParserStats;

/// Completed requests kept waiting for their responses (and responses for their requests). Deeper
/// pipelines without any answer are pathological; the oldest request is emitted alone beyond this,
/// which bounds memory at this many bodies of `max_body_bytes`.
const MAX_WAITING: usize = 32;
/// Requests whose response has not started, tracked for HEAD/CONNECT framing (32 bytes each).
const MAX_METAS: usize = 1024;

/// What the response parser needs to know about the request it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Meta {
    pub idx: u64,
    /// HEAD: the response has no body whatever its fields say (RFC 9112 §6.3 rule 1).
    pub head: bool,
    /// CONNECT: a 2xx response turns the connection into a tunnel (rule 2).
    pub connect: bool,
    pub upgrade: Option<UpgradeKind>,
}

/// A completed message waiting for its partner.
pub(crate) struct Done<T> {
    pub idx: u64,
    pub msg: T,
    pub incomplete: bool,
}

/// A protocol switch decided by the response to request `idx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Switch {
    pub idx: u64,
    pub kind: UpgradeKind,
}

pub(crate) struct Pairing {
    next_req: u64,
    next_resp: u64,
    /// Requests (by head) whose response has not started, oldest first.
    metas: VecDeque<Meta>,
    requests: VecDeque<Done<Request>>,
    responses: VecDeque<Done<Response>>,
    /// The connection is known from its first byte and nothing was lost.
    clean: bool,
    /// The server side lost bytes; the next response decides which waiting requests were answered.
    after_server_gap: bool,
    pub switch: Option<Switch>,
    /// Set on every exchange emitted (the PROXY header's client, known before any message).
    proxied_client: Option<SocketAddr>,
}

impl Pairing {
    pub(crate) fn new(clean: bool, proxied_client: Option<SocketAddr>) -> Self {
        Self {
            next_req: 0,
            next_resp: 0,
            metas: VecDeque::new(),
            requests: VecDeque::new(),
            responses: VecDeque::new(),
            clean,
            after_server_gap: false,
            switch: None,
            proxied_client,
        }
    }

    /// A request head was parsed; returns its index.
    pub(crate) fn request_head(
        &mut self,
        head: bool,
        connect: bool,
        upgrade: Option<UpgradeKind>,
    ) -> u64 {
        let idx = self.next_req;
        self.next_req += 1;
        // A response already started for this index (it arrived first): do not wait for another.
        if idx >= self.next_resp {
            if self.metas.len() >= MAX_METAS {
                // Never answered; its response, if it ever comes, is framed as a GET's.
                self.metas.pop_front();
            }
            self.metas.push_back(Meta {
                idx,
                head,
                connect,
                upgrade,
            });
        }
        idx
    }

    /// The request a response starting now answers, without consuming it (1xx responses do not).
    /// `None`: nothing it can answer (an orphan).
    pub(crate) fn peek_answer(&mut self) -> Option<Meta> {
        if self.after_server_gap {
            self.after_server_gap = false;
            // Responses were lost with the gap. In a request/response rhythm the requests still
            // waiting were answered inside the gap, except the newest: keep only that one.
            while self.metas.len() > 1 {
                self.metas.pop_front();
            }
        }
        match self.metas.front() {
            Some(m) => Some(*m),
            None if self.clean => Some(Meta {
                idx: self.next_resp.max(self.next_req),
                head: false,
                connect: false,
                upgrade: None,
            }),
            None => None,
        }
    }

    /// A final response head for `meta` was parsed: the next response answers a later request.
    pub(crate) fn take_answer(&mut self, meta: Meta) {
        if self.metas.front().is_some_and(|m| m.idx == meta.idx) {
            self.metas.pop_front();
        }
        self.next_resp = meta.idx + 1;
    }

    /// Takes the completed request `idx` out of the queue (an h2c upgrade moves it to HTTP/2).
    pub(crate) fn take_request(&mut self, idx: u64) -> Option<Done<Request>> {
        let i = self.requests.iter().position(|r| r.idx == idx)?;
        self.requests.remove(i)
    }

    pub(crate) fn request_done(&mut self, done: Done<Request>) {
        self.requests.push_back(done);
    }

    pub(crate) fn response_done(&mut self, done: Done<Response>) {
        self.responses.push_back(done);
    }

    /// Something was lost on the client side: requests may be missing from now on.
    pub(crate) fn client_gap(&mut self) {
        self.clean = false;
    }

    pub(crate) fn server_gap(&mut self) {
        self.clean = false;
        self.after_server_gap = true;
    }

    /// Emits every exchange that is decided.
    pub(crate) fn pump(&mut self, out: &mut VecDeque<Exchange>, stats: &mut ParserStats) {
        while let Some(req) = self.requests.front() {
            while self.responses.front().is_some_and(|r| r.idx < req.idx) {
                self.responses.pop_front();
                stats.responses_orphaned += 1;
            }
            let resp = match self.responses.front() {
                Some(r) if r.idx == req.idx => self.responses.pop_front(),
                // A later request is answered: this one's response was lost.
                Some(_) => None,
                // Passed over (its response was lost); `idx + 1 == next_resp` is still in progress.
                None if req.idx + 1 < self.next_resp => None,
                None => break,
            };
            let Some(req) = self.requests.pop_front() else {
                break;
            };
            emit(out, stats, req, resp, self.proxied_client);
        }
        while self.requests.len() > MAX_WAITING {
            if let Some(req) = self.requests.pop_front() {
                emit(out, stats, req, None, self.proxied_client);
            }
        }
        while self.responses.len() > MAX_WAITING {
            self.responses.pop_front();
            stats.responses_orphaned += 1;
        }
    }

    /// Emits every completed request, with its response when there is one (connection end, idle flush).
    ///
    /// `keep_in_progress`: stop at a request whose response has started but not finished (a slow
    /// download is not an unanswered request); it and later ones keep waiting, in order.
    pub(crate) fn flush(
        &mut self,
        out: &mut VecDeque<Exchange>,
        stats: &mut ParserStats,
        keep_in_progress: bool,
    ) {
        self.pump(out, stats);
        while let Some(front) = self.requests.front() {
            if keep_in_progress && front.idx + 1 == self.next_resp {
                break;
            }
            let Some(req) = self.requests.pop_front() else {
                break;
            };
            while self.responses.front().is_some_and(|r| r.idx < req.idx) {
                self.responses.pop_front();
                stats.responses_orphaned += 1;
            }
            let resp = if self.responses.front().is_some_and(|r| r.idx == req.idx) {
                self.responses.pop_front()
            } else {
                None
            };
            emit(out, stats, req, resp, self.proxied_client);
        }
    }

    /// Connection end: responses still waiting for a request never get one.
    pub(crate) fn drop_orphans(&mut self, stats: &mut ParserStats) {
        stats.responses_orphaned += self.responses.len() as u64;
        self.responses.clear();
    }
}

fn emit(
    out: &mut VecDeque<Exchange>,
    stats: &mut ParserStats,
    req: Done<Request>,
    resp: Option<Done<Response>>,
    proxied_client: Option<SocketAddr>,
) {
    let incomplete = req.incomplete || resp.as_ref().is_some_and(|r| r.incomplete);
    if resp.is_some() {
        stats.exchanges_paired += 1;
    } else {
        stats.requests_unanswered += 1;
    }
    out.push_back(Exchange {
        protocol: Protocol::Http1,
        request: req.msg,
        response: resp.map(|r| r.msg),
        proxied_client,
        incomplete_context: incomplete,
    });
}

impl Pairing {
    /// Heap bytes of the queues (not of the messages waiting in them).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.metas.capacity() * std::mem::size_of::<Meta>()
            + self.requests.capacity() * std::mem::size_of::<Done<Request>>()
            + self.responses.capacity() * std::mem::size_of::<Done<Response>>()
    }

    /// Releases queue capacity once the queues are empty again (`keep`: slots kept for the next one).
    pub(crate) fn trim(&mut self, keep: usize) {
        trim_deque(&mut self.metas, keep);
        trim_deque(&mut self.requests, keep);
        trim_deque(&mut self.responses, keep);
    }

    /// A final response for a request after `idx` has started, or `idx` got its response: the
    /// server is past it.
    pub(crate) fn answered_past(&self, idx: u64) -> bool {
        self.next_resp > idx
    }
}

/// Shrinks an empty queue to `keep` slots: one keeps request/response rhythm free of allocations,
/// zero leaves an idle connection holding nothing.
pub(crate) fn trim_deque<T>(q: &mut VecDeque<T>, keep: usize) {
    if q.is_empty() && q.capacity() > keep {
        if keep == 0 {
            *q = VecDeque::new();
        } else {
            q.shrink_to(keep);
        }
    }
}
