//! The request as detection sees it, independent of where it came from (gRPC from aggregation,
//! or a corpus line for `scan`).

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRequest {
    /// As sent, not normalised.
    pub method: String,
    /// Request target as on the request line (still percent-encoded).
    pub uri: String,
    pub version: String,
    /// In send order; names keep their case; repeated names allowed.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Decoded message body (no chunked framing), possibly truncated by aggregation.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// First header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Path part of the URI (before `?`), still encoded.
    pub fn path(&self) -> &str {
        self.uri
            .split_once('?')
            .map_or(self.uri.as_str(), |(p, _)| p)
    }
}
