//! The per-connection parser: protocol detection, then HTTP/1 or HTTP/2, exchanges out.
//!
//! Pure: bytes of one connection in (per side, in order), [`Exchange`]s out. No I/O, no clock: the
//! caller decides when a request has waited too long ([`ConnParser::flush_unanswered`]).
//!
//! What callers can rely on:
//! - Any split of the same bytes into feeds gives the same exchanges (tests feed every split point;
//!   the structured fuzz target checks it). One exception, by design: joined mid-stream, detection
//!   takes a feed that ends exactly where an HTTP/2 frame ends as evidence of frames.
//! - Feeds of the two sides are expected in capture order (a response's first bytes after its
//!   request's head). On a connection seen from its start a response fed early still pairs; after a
//!   mid-stream join or a gap, a response with no request in sight is counted as an orphan.
//! - HTTP/1 exchanges come out in request order; HTTP/2 ones when their stream completes.
//! - `incomplete_context` marks an exchange found by resync (mid-stream join, gap, parse error),
//!   cut by a gap, or carrying HPACK placeholders (`:unknown-hpack-index-N` names).
//! - Memory is bounded by `Limits` and named constants (held detection bytes, pipeline depth, HTTP/2
//!   streams and their shared body budget, HPACK table cap); malformed input is counted in
//!   [`ParserStats`] and never panics (fuzzed).

mod detect;
#[cfg(fuzzing)]
pub mod fuzz_logic;
mod stats;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::net::SocketAddr;

pub use stats::ParserStats;

use crate::exchange::{Exchange, Limits, Protocol, Side};
use crate::http1::{H2cSwitch, Http1Conn};
use crate::http2::Http2Conn;
use detect::{Detected, Detector};

/// What the connection is known to be so far.
enum Conn {
    /// First bytes not seen yet (or not enough of them); both sides' bytes are held, bounded.
    Detect(Box<Detector>),
    Http1(Box<Http1Conn>),
    Http2(Box<Http2Conn>),
}

/// Rebuilds HTTP exchanges from the two byte streams of one connection.
pub struct ConnParser {
    limits: Limits,
    mid_stream: bool,
    conn: Conn,
    stats: ParserStats,
    proxied_client: Option<SocketAddr>,
    out: VecDeque<Exchange>,
}

impl ConnParser {
    /// `mid_stream`: capture joined an already-open connection (streams start mid-message: resync).
    pub fn new(limits: Limits, mid_stream: bool) -> Self {
        Self {
            limits,
            mid_stream,
            conn: Conn::Detect(Box::default()),
            stats: ParserStats::default(),
            proxied_client: None,
            out: VecDeque::new(),
        }
    }

    /// Contiguous bytes sent by `side` (Side::Client = requests, Side::Server = responses), in order.
    pub fn feed(&mut self, side: Side, bytes: &[u8]) {
        match side {
            Side::Client => self.stats.client_bytes += bytes.len() as u64,
            Side::Server => self.stats.server_bytes += bytes.len() as u64,
        }
        self.feed_conn(side, bytes);
    }

    fn feed_conn(&mut self, side: Side, bytes: &[u8]) {
        match &mut self.conn {
            Conn::Detect(d) => {
                let taken = d.push(side, bytes);
                self.try_detect(taken < bytes.len());
                if taken < bytes.len() {
                    // Detection held all it may; it decided, and the rest goes to the protocol parser.
                    self.feed_conn(side, &bytes[taken..]);
                }
            }
            Conn::Http1(h) => {
                if let Some(sw) = h.feed(side, bytes, &self.limits, &mut self.stats) {
                    self.switch_to_h2(sw);
                }
            }
            Conn::Http2(h) => h.feed(side, bytes, &self.limits, &mut self.stats),
        }
    }

    /// `lost` bytes of `side` are missing before the next feed: resync at the next message boundary.
    pub fn gap(&mut self, side: Side, lost: u64) {
        self.stats.gaps += 1;
        self.stats.gap_bytes += lost;
        if let Conn::Detect(_) = self.conn {
            // The first bytes are what detection needs; decide with what is there.
            self.try_detect(true);
        }
        match &mut self.conn {
            // Still undecided after forcing: nothing to resync.
            Conn::Detect(_) => {}
            Conn::Http1(h) => h.gap(side, lost, &self.limits, &mut self.stats),
            Conn::Http2(h) => h.gap(side, lost, &self.limits, &mut self.stats),
        }
    }

    /// The connection closed: close-delimited bodies end, requests still waiting for a response are
    /// emitted alone.
    pub fn finish(&mut self) {
        self.try_detect(true);
        match &mut self.conn {
            Conn::Detect(_) => {}
            Conn::Http1(h) => h.finish(&self.limits, &mut self.stats),
            Conn::Http2(h) => h.finish(&mut self.stats),
        }
    }

    /// Emit requests that have waited for a response longer than the caller decided (idle timeout).
    pub fn flush_unanswered(&mut self) {
        match &mut self.conn {
            Conn::Detect(_) => {}
            Conn::Http1(h) => h.flush_unanswered(&mut self.stats),
            Conn::Http2(h) => h.flush_unanswered(&mut self.stats),
        }
        // The caller flushes idle connections: hold nothing until the next bytes.
        self.trim(0);
    }

    /// Completed exchanges, in request order.
    pub fn pop(&mut self) -> Option<Exchange> {
        // `out` holds only what HTTP/1 finished before an h2c switch; then the protocol's own queue.
        // Handed over as the queue yields it (the protocol parsers set `proxied_client`): each
        // step that touched the exchange here moved it again (issue 5).
        if !self.out.is_empty() {
            return self.out.pop_front();
        }
        let ready = match &self.conn {
            Conn::Detect(_) => false,
            Conn::Http1(h) => h.ready(),
            Conn::Http2(h) => h.ready(),
        };
        if !ready {
            // Drained: a good moment to give back what a burst grew.
            self.trim(1);
            return None;
        }
        match &mut self.conn {
            Conn::Detect(_) => None,
            Conn::Http1(h) => h.pop(),
            Conn::Http2(h) => h.pop(),
        }
    }

    /// Counters since creation.
    pub fn stats(&self) -> &ParserStats {
        &self.stats
    }

    pub fn protocol(&self) -> Option<Protocol> {
        match self.conn {
            Conn::Detect(_) => None,
            Conn::Http1(_) => Some(Protocol::Http1),
            Conn::Http2(_) => Some(Protocol::Http2),
        }
    }

    /// Heap bytes held by this parser (buffers, queues, HPACK tables), not counting the contents of
    /// exchanges waiting in `pop`.
    pub fn heap_bytes(&self) -> usize {
        self.out.capacity() * std::mem::size_of::<Exchange>()
            + match &self.conn {
                Conn::Detect(d) => std::mem::size_of::<Detector>() + d.heap_bytes(),
                Conn::Http1(h) => std::mem::size_of::<Http1Conn>() + h.heap_bytes(),
                Conn::Http2(h) => std::mem::size_of::<Http2Conn>() + h.heap_bytes(),
            }
    }

    fn trim(&mut self, keep: usize) {
        if self.out.is_empty() && self.out.capacity() > 0 {
            // Only used around an h2c switch.
            self.out = VecDeque::new();
        }
        match &mut self.conn {
            Conn::Detect(_) => {}
            Conn::Http1(h) => h.trim(keep),
            Conn::Http2(h) => h.trim(keep),
        }
    }

    /// Decides the protocol when the held bytes allow it (or `force`: now, with what is there).
    fn try_detect(&mut self, force: bool) {
        let Conn::Detect(d) = &mut self.conn else {
            return;
        };
        let Some(found) = d.decide(self.mid_stream, force, &mut self.stats) else {
            return;
        };
        self.proxied_client = d.proxied_client;
        let mid_stream = self.mid_stream || d.lost_start;
        let (client, server) = d.take_held();
        let (limits, stats) = (&self.limits, &mut self.stats);
        self.conn = match found {
            Detected::Http1 => Conn::Http1(Box::new(Http1Conn::new(
                mid_stream,
                self.proxied_client,
                stats,
            ))),
            Detected::Http2 => Conn::Http2(Box::new(Http2Conn::new(
                mid_stream,
                self.proxied_client,
                limits,
                stats,
            ))),
        };
        // Replay what was held; the client first (a request precedes its response).
        for (side, bytes) in [(Side::Client, client), (Side::Server, server)] {
            if bytes.is_empty() {
                continue;
            }
            match &mut self.conn {
                Conn::Detect(_) => {}
                Conn::Http1(h) => {
                    if let Some(sw) = h.feed(side, &bytes, &self.limits, &mut self.stats) {
                        self.switch_to_h2(sw);
                    }
                }
                Conn::Http2(h) => h.feed(side, &bytes, &self.limits, &mut self.stats),
            }
        }
    }

    /// `Upgrade: h2c` answered by 101: continue as HTTP/2 with the upgrading request as stream 1.
    fn switch_to_h2(&mut self, sw: H2cSwitch) {
        // Exchanges HTTP/1 finished before the switch go out first.
        self.collect();
        let mut h2 = Http2Conn::upgraded(
            sw.request,
            sw.incomplete,
            self.proxied_client,
            &self.limits,
            &mut self.stats,
        );
        h2.feed(Side::Client, &sw.client_rest, &self.limits, &mut self.stats);
        h2.feed(Side::Server, &sw.server_rest, &self.limits, &mut self.stats);
        self.conn = Conn::Http2(Box::new(h2));
    }

    /// Moves exchanges finished by the current protocol parser to `out` (before it is replaced).
    fn collect(&mut self) {
        loop {
            let ex = match &mut self.conn {
                Conn::Detect(_) => None,
                Conn::Http1(h) => h.pop(),
                Conn::Http2(h) => h.pop(),
            };
            let Some(ex) = ex else { break };
            self.out.push_back(ex);
        }
    }
}
