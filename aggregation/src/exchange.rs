//! What the protocol parsers produce: HTTP messages of one connection, paired.
//! Pure data, no I/O; the service converts an [`Exchange`] into a wire `Transaction`.

use std::net::SocketAddr;

/// Which peer sent the bytes: the HTTP client (requests) or the HTTP server (responses).
/// The connection layer maps (capture direction, process role) to this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Client,
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    Http1,
    Http2,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub uri: String,
    /// "HTTP/1.1", "HTTP/1.0", "HTTP/2".
    pub version: String,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// Decoded body (chunked framing removed), at most the configured limit.
    pub body: Vec<u8>,
    /// Full body length seen on the wire (decoded).
    pub body_len: u64,
    pub body_truncated: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub version: String,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub body: Vec<u8>,
    pub body_len: u64,
    pub body_truncated: bool,
}

/// A request and, when seen, its response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub protocol: Protocol,
    pub request: Request,
    pub response: Option<Response>,
    /// Real client address from a PROXY v1/v2 header, when the connection had one.
    pub proxied_client: Option<SocketAddr>,
    /// Something before this exchange is unknown: capture joined mid-connection, bytes were lost
    /// (gap), or HPACK state was missing (placeholders in headers).
    pub incomplete_context: bool,
}

/// Bounds of a parser; every one is a config field of aggregation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Request/response head bytes (request line + headers) before the message is dropped.
    pub max_header_bytes: usize,
    /// Body bytes kept per message; the rest is counted and the message flagged truncated.
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_header_bytes: 64 * 1024,
            max_body_bytes: 1024 * 1024,
        }
    }
}
