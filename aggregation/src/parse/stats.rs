//! Counters of one connection parser. A plain struct of `u64`s so the service can add many up
//! (`+=`) and export each field as a metric; [`ParserStats::fields`] names them once for that.

macro_rules! parser_stats {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {
        /// Counters since the parser was created. Every drop or degradation has its own counter.
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct ParserStats {
            $($(#[doc = $doc])* pub $name: u64,)*
        }

        impl ParserStats {
            /// Number of counters; the length of [`ParserStats::fields`].
            pub const LEN: usize = [$(stringify!($name),)*].len();

            /// `(field name, value)` for every counter, in declaration order (stable metric labels).
            pub fn fields(&self) -> [(&'static str, u64); Self::LEN] {
                [$((stringify!($name), self.$name),)*]
            }
        }

        impl std::ops::AddAssign<&ParserStats> for ParserStats {
            fn add_assign(&mut self, other: &ParserStats) {
                $(self.$name = self.$name.saturating_add(other.$name);)*
            }
        }
    };
}

parser_stats! {
    /// Bytes fed by the client side.
    client_bytes,
    /// Bytes fed by the server side.
    server_bytes,
    /// `gap()` calls (missing bytes reported by reassembly).
    gaps,
    /// Bytes reported missing by `gap()`.
    gap_bytes,
    /// Times a side lost message sync (gap, mid-stream join, parse error, oversized head) and had to resync.
    resyncs,
    /// Bytes skipped while looking for the next message boundary.
    resync_skipped_bytes,
    /// Complete requests parsed.
    requests,
    /// Complete final responses parsed.
    responses,
    /// Exchanges emitted with a response.
    exchanges_paired,
    /// Requests emitted without a response (finish, idle flush, response lost).
    requests_unanswered,
    /// Responses that matched no request (its request was before the capture or in a gap); dropped.
    responses_orphaned,
    /// 1xx interim responses (100 Continue, 103 Early Hints) skipped, RFC 9110 §15.2.
    interim_responses,
    /// Connections that switched protocol (101 Upgrade, CONNECT tunnel); parsing stopped or changed.
    upgrades,
    /// h2c upgrades followed into HTTP/2 (RFC 7540 §3.2).
    h2c_upgrades,
    /// Bytes ignored after an upgrade/tunnel (WebSocket frames, TLS in CONNECT).
    tunnel_bytes,
    /// Malformed HTTP/1 message heads (request/status line or header syntax).
    http1_head_errors,
    /// Invalid HTTP/1 body framing (bad Content-Length, bad chunk size line or chunk CRLF).
    http1_framing_errors,
    /// Heads larger than `max_header_bytes`; dropped.
    oversized_heads,
    /// Messages whose body exceeded `max_body_bytes` (kept the first bytes, counted the rest).
    truncated_bodies,
    /// Requests with `Expect: 100-continue` answered by a final status whose body the client then
    /// did not send (next request or connection end instead, RFC 9110 §10.1.1); emitted bodiless.
    expect_bodies_skipped,
    /// Messages cut short by a gap or connection end before their body completed.
    incomplete_messages,
    /// Body bytes seen but not kept because of `max_body_bytes`.
    body_bytes_dropped,
    /// PROXY protocol headers stripped.
    proxy_headers,
    /// Malformed PROXY protocol headers.
    proxy_errors,
    /// HTTP/2 frames parsed.
    h2_frames,
    /// HTTP/2 frames of unknown type, ignored (RFC 9113 §4.1, §5.5).
    h2_unknown_frames,
    /// HTTP/2 framing errors (bad lengths, padding, CONTINUATION sequence).
    h2_frame_errors,
    /// HTTP/2 streams reset by RST_STREAM.
    h2_streams_reset,
    /// GOAWAY frames seen.
    h2_goaways,
    /// Streams dropped because too many were open at once (bounded memory).
    h2_streams_dropped,
    /// HPACK block decoding errors (bad integer, string or Huffman coding).
    hpack_errors,
    /// HPACK indexes into dynamic-table entries never seen (history missing); placeholder emitted.
    hpack_unknown_indexes,
    /// Header blocks dropped because their decoded size exceeded `max_header_bytes`.
    h2_oversized_header_blocks,
    /// gRPC exchanges (content-type application/grpc*).
    grpc_exchanges,
}
