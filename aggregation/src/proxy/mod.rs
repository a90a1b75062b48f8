//! PROXY protocol headers (haproxy `proxy-protocol.txt`), v1 text and v2 binary, parsed with the `ppp`
//! crate. A proxy (haproxy `send-proxy`, AWS NLB, ingress controllers) puts one at the very start of
//! the connection; it is stripped and the real client address kept for every exchange.

mod v1;
mod v2;

use std::net::SocketAddr;

/// Outcome of looking for a PROXY header at the start of a connection's client bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyHeader {
    /// The bytes do not start with a PROXY signature.
    NotProxy,
    /// A prefix of a PROXY header: more bytes are needed.
    Incomplete,
    /// A PROXY signature followed by an invalid header.
    Invalid,
    /// A header of `len` bytes; `client` is the source address (None for LOCAL/UNKNOWN/unix).
    Header {
        len: usize,
        client: Option<SocketAddr>,
    },
}

/// Looks for a PROXY v1 or v2 header at the start of `data`.
pub fn parse(data: &[u8]) -> ProxyHeader {
    if v1::may_start(data) {
        v1::parse(data)
    } else if v2::may_start(data) {
        v2::parse(data)
    } else {
        ProxyHeader::NotProxy
    }
}

/// `data` is a strict prefix of a signature, so the answer needs more bytes.
fn prefix_of(data: &[u8], signature: &[u8]) -> bool {
    data.len() < signature.len() && signature.starts_with(data)
}

#[cfg(test)]
mod tests;
