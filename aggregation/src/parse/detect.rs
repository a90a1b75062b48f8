//! Protocol detection on the first bytes of a connection.
//!
//! Order (DESIGN.md "Aggregation"): a PROXY v1/v2 header is stripped first and its client address kept;
//! then the HTTP/2 prior-knowledge preface (RFC 9113 §3.4) selects HTTP/2; anything else is HTTP/1.x
//! (whose h2c Upgrade is followed later). Joined mid-stream there is no preface: HTTP/2 is recognised
//! by bytes that parse as frame headers, HTTP/1 by a request or status line.
//! Bytes are held only until the answer is known, at most [`MAX_HELD`] per side.

use std::net::SocketAddr;

use super::ParserStats;
use crate::exchange::Side;
use crate::http1::resync;
use crate::http2::{starts_with_frames, PREFACE};
use crate::proxy::{self, ProxyHeader};

/// Bytes held per side while undecided. A PROXY v2 header may carry up to 64 KiB of TLVs, but real
/// ones (haproxy, AWS NLB, GCP) stay far below 1 KiB; the HTTP/2 preface is 24 bytes.
pub(crate) const MAX_HELD: usize = 16 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Detected {
    Http1,
    Http2,
}

#[derive(Default)]
pub(crate) struct Detector {
    client: Vec<u8>,
    server: Vec<u8>,
    proxy_done: bool,
    pub proxied_client: Option<SocketAddr>,
    /// The start was not understood (bad PROXY header): parse as if joined mid-stream.
    pub lost_start: bool,
}

impl Detector {
    /// Holds what fits under [`MAX_HELD`]; returns how many bytes were taken.
    pub(crate) fn push(&mut self, side: Side, bytes: &[u8]) -> usize {
        let held = match side {
            Side::Client => &mut self.client,
            Side::Server => &mut self.server,
        };
        let take = MAX_HELD.saturating_sub(held.len()).min(bytes.len());
        held.extend_from_slice(&bytes[..take]);
        take
    }

    /// Decides when the held bytes allow it; `force` decides with what is there.
    pub(crate) fn decide(
        &mut self,
        mid_stream: bool,
        force: bool,
        stats: &mut ParserStats,
    ) -> Option<Detected> {
        let full = self.client.len() >= MAX_HELD || self.server.len() >= MAX_HELD;
        let force = force || full;
        if !mid_stream && !self.proxy_done && !self.client.is_empty() {
            match proxy::parse(&self.client) {
                ProxyHeader::NotProxy => self.proxy_done = true,
                ProxyHeader::Incomplete if !force => return None,
                ProxyHeader::Incomplete | ProxyHeader::Invalid => {
                    stats.proxy_errors += 1;
                    self.proxy_done = true;
                    self.lost_start = true;
                }
                ProxyHeader::Header { len, client } => {
                    stats.proxy_headers += 1;
                    self.client.drain(..len);
                    self.proxied_client = client;
                    self.proxy_done = true;
                }
            }
        }
        if mid_stream || self.lost_start {
            return self.decide_mid_stream(force);
        }
        let c = &self.client;
        if c.is_empty() {
            // The server spoke first (or was fed first): its first bytes tell as well.
            let s = &self.server;
            if s.starts_with(b"HTTP/") {
                return Some(Detected::Http1);
            }
            // An HTTP/2 server's preface is a SETTINGS frame (RFC 9113 §3.4).
            if s.len() >= 9 && s[3] == 0x4 && starts_with_frames(s) != Some(false) {
                return Some(Detected::Http2);
            }
            return force.then_some(Detected::Http1);
        }
        if c.starts_with(PREFACE) {
            return Some(Detected::Http2);
        }
        if PREFACE.starts_with(c) && !force {
            return None;
        }
        Some(Detected::Http1)
    }

    fn decide_mid_stream(&self, force: bool) -> Option<Detected> {
        let (c, s) = (&self.client, &self.server);
        let text = |b: &[u8], req: bool| {
            let f = if req {
                resync::find_request(b, true)
            } else {
                resync::find_response(b, true)
            };
            matches!(f, resync::Found::At(_))
        };
        if text(c, true) || text(s, false) {
            return Some(Detected::Http1);
        }
        match (starts_with_frames(c), starts_with_frames(s)) {
            (Some(true), _) | (_, Some(true)) => Some(Detected::Http2),
            (Some(false), Some(false)) => Some(Detected::Http1),
            _ if force => Some(Detected::Http1),
            // One side is undecided: wait for a little more, unless the other already spoke plenty.
            (Some(false), None) if c.len() >= 1024 => Some(Detected::Http1),
            (None, Some(false)) if s.len() >= 1024 => Some(Detected::Http1),
            _ => None,
        }
    }

    pub(crate) fn take_held(&mut self) -> (Vec<u8>, Vec<u8>) {
        (
            std::mem::take(&mut self.client),
            std::mem::take(&mut self.server),
        )
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.client.capacity() + self.server.capacity()
    }
}
