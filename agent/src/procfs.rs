//! TCP socket facts from /proc: addresses of a socket fd, and the established sockets of a
//! process (to pick up connections that were open before the agent started).
use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
};

/// One row of /proc/<pid>/net/tcp{,6}.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpSocket {
    pub local: SocketAddr,
    pub remote: SocketAddr,
    /// Kernel TCP state (1 = ESTABLISHED, 10 = LISTEN).
    pub state: u8,
    pub inode: u64,
}

pub const TCP_ESTABLISHED: u8 = 1;
pub const TCP_LISTEN: u8 = 10;

/// Parses `0100007F:1F90` (IPv4) or the 32-hex-digit IPv6 form. The kernel prints each 32-bit
/// word in host byte order (little-endian here).
fn parse_addr(s: &str) -> Option<SocketAddr> {
    let (ip, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = match ip.len() {
        8 => IpAddr::V4(Ipv4Addr::from(
            u32::from_str_radix(ip, 16).ok()?.to_le_bytes(),
        )),
        32 => {
            let mut b = [0u8; 16];
            for w in 0..4 {
                let word = u32::from_str_radix(ip.get(w * 8..w * 8 + 8)?, 16).ok()?;
                b[w * 4..w * 4 + 4].copy_from_slice(&word.to_le_bytes());
            }
            let v6 = Ipv6Addr::from(b);
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

pub fn parse_net_tcp(text: &str) -> Vec<TcpSocket> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            Some(TcpSocket {
                local: parse_addr(f.get(1)?)?,
                remote: parse_addr(f.get(2)?)?,
                state: u8::from_str_radix(f.get(3)?, 16).ok()?,
                inode: f.get(9)?.parse().ok()?,
            })
        })
        .collect()
}

/// TCP sockets visible in the network namespace of `pid`, by inode.
pub fn tcp_sockets(pid: u32) -> HashMap<u64, TcpSocket> {
    let mut out = HashMap::new();
    for file in ["tcp", "tcp6"] {
        if let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{file}")) {
            for s in parse_net_tcp(&text) {
                out.insert(s.inode, s);
            }
        }
    }
    out
}

/// Socket inode behind `fd` of `pid`, if it is a socket.
pub fn socket_inode(pid: u32, fd: u32) -> Option<u64> {
    let link = std::fs::read_link(format!("/proc/{pid}/fd/{fd}")).ok()?;
    let s = link.to_str()?;
    s.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
}

/// Socket fds of `pid` with their inodes.
pub fn socket_fds(pid: u32) -> Vec<(u32, u64)> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let fd: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        Some((fd, socket_inode(pid, fd)?))
    })
    .collect()
}

/// Local and remote address of a TCP socket fd (best effort: the socket may be gone already).
pub fn fd_addresses(pid: u32, fd: u32) -> Option<(SocketAddr, SocketAddr)> {
    let inode = socket_inode(pid, fd)?;
    tcp_sockets(pid).get(&inode).map(|s| (s.local, s.remote))
}

/// Listening TCP addresses of processes, cached per pid: the fallback for a server connection's
/// local address when its fd is already closed by the time the agent reads the Open record (short
/// requests finish in well under the reader's polling period).
#[derive(Default)]
pub struct ListenCache(HashMap<u32, Vec<SocketAddr>>);

impl ListenCache {
    /// The local address of an accepted connection of `pid`: the process's only listener, or the
    /// one whose family matches `peer`. None when ambiguous.
    pub fn local_for(&mut self, pid: u32, peer: Option<SocketAddr>) -> Option<SocketAddr> {
        let listeners = self.0.entry(pid).or_insert_with(|| {
            let sockets = tcp_sockets(pid);
            socket_fds(pid)
                .into_iter()
                .filter_map(|(_, inode)| sockets.get(&inode))
                .filter(|s| s.state == TCP_LISTEN)
                .map(|s| s.local)
                .collect()
        });
        let pick: Vec<&SocketAddr> = match peer {
            Some(p) => listeners
                .iter()
                .filter(|l| l.is_ipv4() == p.is_ipv4())
                .collect(),
            None => listeners.iter().collect(),
        };
        match pick.as_slice() {
            [one] => {
                let mut a = **one;
                // A wildcard listener answers on the address the peer reached; on loopback the
                // peer's own address is that address.
                if a.ip().is_unspecified() {
                    if let Some(p) = peer.filter(|p| p.ip().is_loopback()) {
                        a.set_ip(p.ip());
                    }
                }
                Some(a)
            }
            _ => None,
        }
    }

    pub fn forget(&mut self, pid: u32) {
        self.0.remove(&pid);
    }
}

/// Process name from /proc/<pid>/comm.
pub fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim_end().to_owned())
        .unwrap_or_default()
}

/// Decodes a raw `struct sockaddr_in` / `sockaddr_in6` as copied by the eBPF programs.
pub fn decode_sockaddr(raw: &[u8]) -> Option<SocketAddr> {
    let family = u16::from_ne_bytes([*raw.first()?, *raw.get(1)?]);
    let port = u16::from_be_bytes([*raw.get(2)?, *raw.get(3)?]);
    match family as i32 {
        libc::AF_INET => {
            let b: [u8; 4] = raw.get(4..8)?.try_into().ok()?;
            Some(SocketAddr::new(IpAddr::V4(Ipv4Addr::from(b)), port))
        }
        libc::AF_INET6 => {
            let b: [u8; 16] = raw.get(8..24)?.try_into().ok()?;
            let v6 = Ipv6Addr::from(b);
            Some(SocketAddr::new(
                v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
                port,
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_net_tcp_rows() {
        let text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 23456 1 0000000000000000 20 4 30 10 -1\n";
        let rows = parse_net_tcp(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].local, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(rows[0].state, TCP_LISTEN);
        assert_eq!(rows[1].remote, "127.0.0.1:50000".parse().unwrap());
        assert_eq!(rows[1].inode, 23456);
    }

    #[test]
    fn parses_ipv6_and_mapped_ipv4() {
        // ::1 port 443
        assert_eq!(
            parse_addr("00000000000000000000000001000000:01BB"),
            Some("[::1]:443".parse().unwrap())
        );
        // ::ffff:127.0.0.1 port 80
        assert_eq!(
            parse_addr("0000000000000000FFFF00000100007F:0050"),
            Some("127.0.0.1:80".parse().unwrap())
        );
    }

    #[test]
    fn decodes_raw_sockaddrs() {
        let mut v4 = [0u8; 28];
        v4[..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
        v4[2..4].copy_from_slice(&8080u16.to_be_bytes());
        v4[4..8].copy_from_slice(&[10, 1, 2, 3]);
        assert_eq!(decode_sockaddr(&v4), Some("10.1.2.3:8080".parse().unwrap()));
        assert_eq!(decode_sockaddr(&[0u8; 3]), None);
        let mut v6 = [0u8; 28];
        v6[..2].copy_from_slice(&(libc::AF_INET6 as u16).to_ne_bytes());
        v6[2..4].copy_from_slice(&443u16.to_be_bytes());
        v6[23] = 1;
        assert_eq!(decode_sockaddr(&v6), Some("[::1]:443".parse().unwrap()));
    }
}
