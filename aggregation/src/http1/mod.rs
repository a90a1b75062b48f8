//! HTTP/1.x (RFC 9112): two directions parsed independently, paired in request order.
//!
//! Heads go through httparse; bodies are framed by Content-Length, chunked coding or connection close;
//! pipelined requests queue up; HEAD/204/304 responses carry no body; 1xx responses are interim;
//! a 101 or a CONNECT tunnel stops parsing (an h2c upgrade hands the connection to HTTP/2).

mod body;
pub(crate) mod head;
mod pairing;
mod reader;
pub(crate) mod resync;

use std::collections::VecDeque;
use std::net::SocketAddr;

pub(crate) use head::UpgradeKind;
pub(crate) use pairing::trim_deque;
use pairing::Pairing;
use reader::{Ctx, Reader, Role};

use crate::exchange::{Exchange, Limits, Request, Side};
use crate::parse::ParserStats;

/// An `Upgrade: h2c` request was answered by 101: the connection continues as HTTP/2 (RFC 7540 §3.2).
#[derive(Debug, PartialEq, Eq)]
pub struct H2cSwitch {
    /// The upgrading request (HTTP/2 stream 1), when its bytes were seen whole.
    pub request: Option<Request>,
    pub incomplete: bool,
    /// Bytes each side sent after the switch: the client preface and frames, the server's frames.
    pub client_rest: Vec<u8>,
    pub server_rest: Vec<u8>,
}

/// HTTP/1 state of one connection.
pub struct Http1Conn {
    client: Reader,
    server: Reader,
    pairing: Pairing,
    out: VecDeque<Exchange>,
}

impl Http1Conn {
    /// `mid_stream`: both directions start by looking for a message boundary. `proxied_client`
    /// (from a PROXY header) is set on every exchange.
    pub fn new(
        mid_stream: bool,
        proxied_client: Option<SocketAddr>,
        stats: &mut ParserStats,
    ) -> Self {
        if mid_stream {
            stats.resyncs += 2;
        }
        Self {
            client: Reader::new(Role::Request, mid_stream),
            server: Reader::new(Role::Response, mid_stream),
            pairing: Pairing::new(!mid_stream, proxied_client),
            out: VecDeque::new(),
        }
    }

    /// Feeds bytes of one side. Returns the hand-over when an h2c upgrade switched the connection.
    pub fn feed(
        &mut self,
        side: Side,
        bytes: &[u8],
        limits: &Limits,
        stats: &mut ParserStats,
    ) -> Option<H2cSwitch> {
        let mut switch = None;
        match side {
            Side::Client => {
                let mut ctx = Ctx {
                    limits,
                    stats,
                    pairing: &mut self.pairing,
                    client_awaiting: None,
                };
                self.client.feed(bytes, &mut ctx);
            }
            Side::Server => {
                // The server side pauses after answering a request that asked to switch protocols,
                // until the client side has resolved it and parsed what it held behind it: the
                // next response must find those requests (HEAD framing), however the bytes are split.
                let mut rest = bytes;
                loop {
                    let awaiting = self.client.awaiting_switch();
                    let mut ctx = Ctx {
                        limits,
                        stats,
                        pairing: &mut self.pairing,
                        client_awaiting: awaiting,
                    };
                    let n = self.server.feed(rest, &mut ctx);
                    rest = rest.get(n..).unwrap_or_default();
                    switch = self.h2c_switch(stats);
                    if switch.is_some() {
                        break;
                    }
                    self.resolve_switch(limits, stats);
                    let resolved = awaiting.is_some() && self.client.awaiting_switch() != awaiting;
                    if !resolved && (rest.is_empty() || n == 0) {
                        break;
                    }
                }
            }
        }
        self.pairing.pump(&mut self.out, stats);
        switch
    }

    /// Hands the connection over to HTTP/2 after `101` to an h2c upgrade.
    fn h2c_switch(&mut self, stats: &mut ParserStats) -> Option<H2cSwitch> {
        let sw = self.pairing.switch.filter(|s| s.kind == UpgradeKind::H2c)?;
        if !self.server.is_handoff() {
            return None;
        }
        stats.h2c_upgrades += 1;
        let server_rest = self.server.stop();
        let client_rest = if self.client.awaiting_switch() == Some(sw.idx) {
            self.client.stop_take_held()
        } else {
            self.client.stop();
            Vec::new()
        };
        let done = self.pairing.take_request(sw.idx);
        Some(H2cSwitch {
            incomplete: done.as_ref().is_none_or(|d| d.incomplete),
            request: done.map(|d| d.msg),
            client_rest,
            server_rest,
        })
    }

    /// A response decided whether a waiting Upgrade/CONNECT request switched the connection.
    fn resolve_switch(&mut self, limits: &Limits, stats: &mut ParserStats) {
        let Some(idx) = self.client.awaiting_switch() else {
            return;
        };
        if self.server.is_tunnel() && self.pairing.switch.is_none_or(|s| s.idx != idx) {
            // The server switched for an earlier request; nothing more will answer this one.
            self.client.stop();
            return;
        }
        let switched = self.pairing.switch.is_some_and(|s| s.idx == idx);
        let answered = switched || self.server_passed(idx);
        if answered {
            let mut ctx = Ctx {
                limits,
                stats,
                pairing: &mut self.pairing,
                client_awaiting: None,
            };
            let rest = self.client.resolve_switch(switched, &mut ctx);
            ctx.stats.tunnel_bytes += rest.len() as u64;
        }
    }

    /// The server side has moved past the response to request `idx` without switching.
    fn server_passed(&self, idx: u64) -> bool {
        self.pairing.answered_past(idx)
    }

    pub fn gap(&mut self, side: Side, lost: u64, limits: &Limits, stats: &mut ParserStats) {
        let mut ctx = Ctx {
            limits,
            stats,
            pairing: &mut self.pairing,
            client_awaiting: None,
        };
        match side {
            Side::Client => {
                ctx.pairing.client_gap();
                self.client.gap(lost, &mut ctx);
            }
            Side::Server => {
                ctx.pairing.server_gap();
                self.server.gap(lost, &mut ctx);
            }
        }
        self.pairing.pump(&mut self.out, stats);
    }

    pub fn finish(&mut self, limits: &Limits, stats: &mut ParserStats) {
        let mut ctx = Ctx {
            limits,
            stats,
            pairing: &mut self.pairing,
            client_awaiting: None,
        };
        self.client.finish(&mut ctx);
        self.server.finish(&mut ctx);
        self.pairing.flush(&mut self.out, stats, false);
        self.pairing.drop_orphans(stats);
    }

    pub fn flush_unanswered(&mut self, stats: &mut ParserStats) {
        self.pairing.flush(&mut self.out, stats, true);
    }

    /// Whether [`Self::pop`] has an exchange.
    pub fn ready(&self) -> bool {
        !self.out.is_empty()
    }

    pub fn pop(&mut self) -> Option<Exchange> {
        self.out.pop_front()
    }

    /// Both directions stopped parsing (switched protocols).
    pub fn is_tunnel(&self) -> bool {
        self.client.is_tunnel() && self.server.is_tunnel()
    }

    /// Heap bytes held by parser buffers.
    pub fn heap_bytes(&self) -> usize {
        self.client.heap_bytes()
            + self.server.heap_bytes()
            + self.pairing.heap_bytes()
            + self.out.capacity() * std::mem::size_of::<Exchange>()
    }

    /// Returns capacity once nothing is waiting: down to one slot per queue after a drain, all of
    /// it when the connection goes idle (`keep` 0).
    pub fn trim(&mut self, keep: usize) {
        self.pairing.trim(keep);
        pairing::trim_deque(&mut self.out, keep);
        self.client.trim();
        self.server.trim();
    }
}
