//! PROXY v2: a 12-byte signature, version/command, family, a 16-bit length, then addresses and TLVs.

use std::net::SocketAddr;

use ppp::v2::{Addresses, Command, Header};

use super::{prefix_of, ProxyHeader};

const SIGNATURE: &[u8] = b"\r\n\r\n\0\r\nQUIT\n";
/// Fixed part before the addresses (spec §2.2).
const FIXED: usize = 16;

pub(super) fn may_start(data: &[u8]) -> bool {
    data.starts_with(SIGNATURE) || prefix_of(data, SIGNATURE)
}

pub(super) fn parse(data: &[u8]) -> ProxyHeader {
    if data.len() < FIXED {
        return ProxyHeader::Incomplete;
    }
    // The declared length says how many bytes to wait for; checked before handing anything to ppp.
    let len = FIXED + usize::from(u16::from_be_bytes([data[14], data[15]]));
    if data.len() < len {
        return ProxyHeader::Incomplete;
    }
    match Header::try_from(&data[..len]) {
        Ok(h) => {
            let client = match (h.command, h.addresses) {
                // LOCAL: the proxy's own connection (health checks); the addresses are not a client.
                (Command::Local, _) => None,
                (_, Addresses::IPv4(a)) => {
                    Some(SocketAddr::from((a.source_address, a.source_port)))
                }
                (_, Addresses::IPv6(a)) => {
                    Some(SocketAddr::from((a.source_address, a.source_port)))
                }
                _ => None,
            };
            ProxyHeader::Header { len, client }
        }
        Err(_) => ProxyHeader::Invalid,
    }
}
