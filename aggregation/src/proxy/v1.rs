//! PROXY v1: one text line, `PROXY TCP4|TCP6|UNKNOWN src dst sport dport\r\n`, at most 107 bytes.

use std::net::SocketAddr;

use ppp::v1::{Addresses, Header};
use ppp::PartialResult;

use super::{prefix_of, ProxyHeader};

const SIGNATURE: &[u8] = b"PROXY ";
/// Longest v1 line (spec §2.1).
const MAX_LEN: usize = 107;

pub(super) fn may_start(data: &[u8]) -> bool {
    data.starts_with(SIGNATURE) || prefix_of(data, SIGNATURE)
}

pub(super) fn parse(data: &[u8]) -> ProxyHeader {
    if data.len() < SIGNATURE.len() {
        return ProxyHeader::Incomplete;
    }
    // Only the line itself goes to ppp: it must end within MAX_LEN bytes.
    let Some(nl) = memchr::memchr(b'\n', &data[..data.len().min(MAX_LEN)]) else {
        return if data.len() >= MAX_LEN {
            ProxyHeader::Invalid
        } else {
            ProxyHeader::Incomplete
        };
    };
    let line = &data[..=nl];
    match Header::try_from(line) {
        Ok(h) => {
            let client = match h.addresses {
                Addresses::Tcp4(a) => Some(SocketAddr::from((a.source_address, a.source_port))),
                Addresses::Tcp6(a) => Some(SocketAddr::from((a.source_address, a.source_port))),
                Addresses::Unknown => None,
            };
            ProxyHeader::Header {
                len: line.len(),
                client,
            }
        }
        Err(e) if e.is_incomplete() => ProxyHeader::Invalid,
        Err(_) => ProxyHeader::Invalid,
    }
}
