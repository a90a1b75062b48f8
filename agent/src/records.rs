//! Ring buffer records → wire connection events.
use std::net::{IpAddr, SocketAddr};

use agent_common::{user::decode, Direction, RecordHeader, RecordKind, Role};
use proto::capture::{conn_event::Kind, Address, Close, ConnEvent, Data, Open, TlsStart};

use crate::{clock::MonotonicToUnix, procfs};

#[derive(Debug, PartialEq, Eq)]
pub enum RecordError {
    Malformed,
    UnknownKind(u8),
}

pub fn address(addr: Option<SocketAddr>) -> Option<Address> {
    addr.map(|a| Address {
        ip: match a.ip() {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        },
        port: u32::from(a.port()),
    })
}

pub fn comm_str(comm: &[u8; 16]) -> String {
    let end = comm.iter().position(|&b| b == 0).unwrap_or(comm.len());
    String::from_utf8_lossy(&comm[..end]).into_owned()
}

fn role(h: &RecordHeader) -> proto::capture::Role {
    match Role::from_u8(h.role) {
        Role::Server => proto::capture::Role::Server,
        Role::Client => proto::capture::Role::Client,
        Role::Unknown => proto::capture::Role::Unknown,
    }
}

/// Decodes one raw record. Open records are completed with addresses from /proc (the peer comes
/// from the kernel's copy of the accept/connect sockaddr; the local side from the fd's socket).
pub fn to_event(
    raw: &[u8],
    clock: &MonotonicToUnix,
    listeners: &mut procfs::ListenCache,
) -> Result<ConnEvent, RecordError> {
    let (h, payload) = decode(raw).map_err(|_| RecordError::Malformed)?;
    let ts = clock.convert(h.ts_ns);
    let kind = match RecordKind::from_u8(h.kind) {
        Some(RecordKind::Data) => Kind::Data(Data {
            direction: if h.direction == Direction::Egress as u8 {
                proto::capture::Direction::Egress as i32
            } else {
                proto::capture::Direction::Ingress as i32
            },
            offset: h.offset,
            payload: payload.to_vec(),
            ts_unix_ns: ts,
            pid: h.tgid,
            comm: comm_str(&h.comm),
        }),
        Some(RecordKind::Open) => {
            let peer = procfs::decode_sockaddr(payload);
            let fd_addrs = procfs::fd_addresses(h.tgid, h.fd);
            let peer = peer.or(fd_addrs.map(|(_, r)| r));
            let local = fd_addrs.map(|(l, _)| l).or_else(|| {
                (Role::from_u8(h.role) == Role::Server)
                    .then(|| listeners.local_for(h.tgid, peer))
                    .flatten()
            });
            Kind::Open(Open {
                pid: h.tgid,
                comm: comm_str(&h.comm),
                role: role(&h) as i32,
                local: address(local),
                peer: address(peer),
                cgroup_id: h.cgroup_id,
                mid_stream: false,
                fd: h.fd,
                ts_unix_ns: ts,
                ..Default::default()
            })
        }
        Some(RecordKind::Close) => Kind::Close(Close { ts_unix_ns: ts }),
        Some(RecordKind::TlsStart) => Kind::TlsStart(TlsStart { ts_unix_ns: ts }),
        None => return Err(RecordError::UnknownKind(h.kind)),
    };
    Ok(ConnEvent {
        conn_id: h.conn_id,
        kind: Some(kind),
    })
}

/// Size of an event on the wire, for batch limits (payload dominates).
pub fn weight(ev: &ConnEvent) -> usize {
    match &ev.kind {
        Some(Kind::Data(d)) => d.payload.len() + 48,
        _ => 96,
    }
}
