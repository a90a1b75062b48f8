//! The connection table of one agent stream: connection metadata, per-direction reassembly, and
//! a protocol parser per connection. Pure: events in, transactions out; time is passed in.
use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    time::Duration,
};

use proto::capture::{conn_event::Kind, Address, ConnEvent, Direction, Open, Role};

use crate::{
    exchange::{Exchange, Limits, Side},
    parse::{ConnParser, ParserStats},
    reassembly::{Piece, Reassembler},
};

#[derive(Clone, Debug)]
pub struct TableLimits {
    pub parser: Limits,
    pub max_connections: usize,
    /// A connection without traffic for this long is finished and forgotten.
    pub idle_timeout: Duration,
    /// A request without a response for this long is sent on alone.
    pub response_timeout: Duration,
    pub max_out_of_order_bytes: usize,
}

impl Default for TableLimits {
    fn default() -> Self {
        Self {
            parser: Limits::default(),
            max_connections: 100_000,
            idle_timeout: Duration::from_secs(300),
            response_timeout: Duration::from_secs(5),
            max_out_of_order_bytes: 256 * 1024,
        }
    }
}

/// Who and where, for the transactions of one connection.
#[derive(Clone, Debug, Default)]
pub struct ConnMeta {
    pub pid: u32,
    pub comm: String,
    pub role: Role,
    pub local: Option<SocketAddr>,
    pub peer: Option<SocketAddr>,
    pub cgroup_id: u64,
    pub pod: String,
    pub namespace: String,
    pub container: String,
}

impl ConnMeta {
    /// HTTP client and server endpoints, from the process's role.
    pub fn endpoints(&self) -> (Option<SocketAddr>, Option<SocketAddr>) {
        match self.role {
            Role::Client => (self.local, self.peer),
            _ => (self.peer, self.local),
        }
    }

    fn side(&self, direction: Direction) -> Side {
        match (self.role, direction) {
            (Role::Client, Direction::Egress) => Side::Client,
            (Role::Client, Direction::Ingress) => Side::Server,
            (_, Direction::Ingress) => Side::Client,
            (_, Direction::Egress) => Side::Server,
        }
    }
}

pub fn socket_addr(a: &Option<Address>) -> Option<SocketAddr> {
    let a = a.as_ref()?;
    let port = u16::try_from(a.port).ok()?;
    let ip = match a.ip.len() {
        4 => IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(a.ip.as_slice()).ok()?)),
        16 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(a.ip.as_slice()).ok()?)),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

struct Connection {
    meta: ConnMeta,
    parser: ConnParser,
    streams: [Reassembler; 2],
    last_seen: Duration,
    /// Parser counters already added to the table totals.
    reported: [u64; ParserStats::LEN],
    exchanges: u64,
}

/// One rebuilt exchange with its connection's metadata.
#[derive(Debug)]
pub struct Rebuilt {
    pub conn_id: u64,
    pub index: u64,
    pub meta: ConnMeta,
    pub exchange: Exchange,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableStats {
    pub opened: u64,
    pub closed: u64,
    pub evicted_idle: u64,
    pub evicted_limit: u64,
    /// Data for a connection whose Open was never seen (lost, or before the agent started).
    pub unknown_connections: u64,
    pub gaps: u64,
    pub gap_bytes: u64,
    pub duplicate_bytes: u64,
}

pub struct ConnTable {
    limits: TableLimits,
    conns: HashMap<u64, Connection>,
    pub stats: TableStats,
    /// Sum of parser counters over every connection ever seen, in `ParserStats::fields` order.
    pub parser_totals: [u64; ParserStats::LEN],
}

fn direction_index(d: Direction) -> usize {
    match d {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

impl ConnTable {
    pub fn new(limits: TableLimits) -> Self {
        Self {
            limits,
            conns: HashMap::new(),
            stats: TableStats::default(),
            parser_totals: [0; ParserStats::LEN],
        }
    }

    pub fn len(&self) -> usize {
        self.conns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    fn open(
        &mut self,
        conn_id: u64,
        meta: ConnMeta,
        mid_stream: bool,
        now: Duration,
        out: &mut Vec<Rebuilt>,
    ) {
        if let Some(old) = self.conns.remove(&conn_id) {
            self.retire(conn_id, old, out);
        }
        if self.conns.len() >= self.limits.max_connections {
            // Evict the longest-idle connection.
            if let Some((&id, _)) = self.conns.iter().min_by_key(|(_, c)| c.last_seen) {
                if let Some(c) = self.conns.remove(&id) {
                    self.stats.evicted_limit += 1;
                    self.retire(id, c, out);
                }
            }
        }
        let conn = Connection {
            meta,
            parser: ConnParser::new(self.limits.parser.clone(), mid_stream),
            streams: [
                Reassembler::new(self.limits.max_out_of_order_bytes),
                Reassembler::new(self.limits.max_out_of_order_bytes),
            ],
            last_seen: now,
            reported: [0; ParserStats::LEN],
            exchanges: 0,
        };
        self.stats.opened += 1;
        self.conns.insert(conn_id, conn);
    }

    /// Applies one event; completed exchanges are appended to `out`. `now` is any monotonic time.
    pub fn apply(&mut self, ev: ConnEvent, now: Duration, out: &mut Vec<Rebuilt>) {
        let conn_id = ev.conn_id;
        match ev.kind {
            Some(Kind::Open(o)) => {
                let mid = o.mid_stream;
                self.open(conn_id, meta_of(&o), mid, now, out);
            }
            Some(Kind::Data(d)) => {
                if !self.conns.contains_key(&conn_id) {
                    // Its Open was lost: treat as joined mid-stream, with what the chunk tells.
                    self.stats.unknown_connections += 1;
                    let meta = ConnMeta {
                        pid: d.pid,
                        comm: d.comm.clone(),
                        role: Role::Server,
                        ..Default::default()
                    };
                    self.open(conn_id, meta, d.offset > 0, now, out);
                }
                let Some(conn) = self.conns.get_mut(&conn_id) else {
                    return;
                };
                conn.last_seen = now;
                let direction = Direction::try_from(d.direction).unwrap_or(Direction::Ingress);
                let side = conn.meta.side(direction);
                let stream = &mut conn.streams[direction_index(direction)];
                let dup_before = stream.duplicate_bytes;
                let mut pieces = Vec::new();
                stream.push(d.offset, d.payload, &mut pieces);
                self.stats.duplicate_bytes += stream.duplicate_bytes - dup_before;
                feed(conn, side, pieces, &mut self.stats);
                self.drain(conn_id, out);
            }
            Some(Kind::TlsStart(_)) => {
                // From here on the streams are TLS plaintext starting at offset 0; what was fed
                // before was the handshake (ciphertext): start over with a fresh parser.
                if let Some(c) = self.conns.get_mut(&conn_id) {
                    c.parser = ConnParser::new(self.limits.parser.clone(), false);
                    c.streams = [
                        Reassembler::new(self.limits.max_out_of_order_bytes),
                        Reassembler::new(self.limits.max_out_of_order_bytes),
                    ];
                    c.reported = [0; ParserStats::LEN];
                    c.last_seen = now;
                }
            }
            Some(Kind::Close(_)) => {
                if let Some(c) = self.conns.remove(&conn_id) {
                    self.stats.closed += 1;
                    self.retire(conn_id, c, out);
                }
            }
            None => {}
        }
    }

    /// Times out idle connections and unanswered requests.
    pub fn sweep(&mut self, now: Duration, out: &mut Vec<Rebuilt>) {
        let idle: Vec<u64> = self
            .conns
            .iter()
            .filter(|(_, c)| now.saturating_sub(c.last_seen) >= self.limits.idle_timeout)
            .map(|(&id, _)| id)
            .collect();
        for id in idle {
            if let Some(c) = self.conns.remove(&id) {
                self.stats.evicted_idle += 1;
                self.retire(id, c, out);
            }
        }
        let quiet: Vec<u64> = self
            .conns
            .iter()
            .filter(|(_, c)| now.saturating_sub(c.last_seen) >= self.limits.response_timeout)
            .map(|(&id, _)| id)
            .collect();
        for id in quiet {
            if let Some(c) = self.conns.get_mut(&id) {
                for i in 0..2 {
                    if c.streams[i].pending_bytes() > 0 {
                        let mut pieces = Vec::new();
                        c.streams[i].flush(&mut pieces);
                        let dir = if i == 0 {
                            Direction::Ingress
                        } else {
                            Direction::Egress
                        };
                        let side = c.meta.side(dir);
                        feed(c, side, pieces, &mut self.stats);
                    }
                }
                c.parser.flush_unanswered();
            }
            self.drain(id, out);
        }
    }

    /// Finishes every connection (shutdown).
    pub fn finish_all(&mut self, out: &mut Vec<Rebuilt>) {
        let ids: Vec<u64> = self.conns.keys().copied().collect();
        for id in ids {
            if let Some(c) = self.conns.remove(&id) {
                self.retire(id, c, out);
            }
        }
    }

    fn retire(&mut self, conn_id: u64, mut c: Connection, out: &mut Vec<Rebuilt>) {
        for i in 0..2 {
            let mut pieces = Vec::new();
            c.streams[i].flush(&mut pieces);
            let dir = if i == 0 {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            let side = c.meta.side(dir);
            feed(&mut c, side, pieces, &mut self.stats);
        }
        c.parser.finish();
        collect(conn_id, &mut c, out, &mut self.parser_totals);
    }

    fn drain(&mut self, conn_id: u64, out: &mut Vec<Rebuilt>) {
        if let Some(c) = self.conns.get_mut(&conn_id) {
            collect(conn_id, c, out, &mut self.parser_totals);
        }
    }
}

fn feed(conn: &mut Connection, side: Side, pieces: Vec<Piece>, stats: &mut TableStats) {
    for p in pieces {
        match p {
            Piece::Bytes(b) => conn.parser.feed(side, &b),
            Piece::Gap(n) => {
                stats.gaps += 1;
                stats.gap_bytes += n;
                conn.parser.gap(side, n);
            }
        }
    }
}

fn collect(
    conn_id: u64,
    c: &mut Connection,
    out: &mut Vec<Rebuilt>,
    totals: &mut [u64; ParserStats::LEN],
) {
    while let Some(exchange) = c.parser.pop() {
        out.push(Rebuilt {
            conn_id,
            index: c.exchanges,
            meta: c.meta.clone(),
            exchange,
        });
        c.exchanges += 1;
    }
    // Add only what changed since the last report.
    for (i, (_, v)) in c.parser.stats().fields().into_iter().enumerate() {
        totals[i] += v.saturating_sub(c.reported[i]);
        c.reported[i] = v;
    }
}

fn meta_of(o: &Open) -> ConnMeta {
    ConnMeta {
        pid: o.pid,
        comm: o.comm.clone(),
        role: Role::try_from(o.role).unwrap_or(Role::Unknown),
        local: socket_addr(&o.local),
        peer: socket_addr(&o.peer),
        cgroup_id: o.cgroup_id,
        pod: o.pod.clone(),
        namespace: o.namespace.clone(),
        container: o.container.clone(),
    }
}

#[cfg(test)]
mod tests;
