//! The 9-octet HTTP/2 frame header (RFC 9113 §4.1) and what makes one plausible.

/// Client connection preface (RFC 9113 §3.4).
pub(crate) const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

pub(crate) const HEAD_LEN: usize = 9;

/// Frame types (RFC 9113 §6). Others are unknown and ignored (§5.5).
pub(crate) mod kind {
    pub const DATA: u8 = 0x0;
    pub const HEADERS: u8 = 0x1;
    pub const PRIORITY: u8 = 0x2;
    pub const RST_STREAM: u8 = 0x3;
    pub const SETTINGS: u8 = 0x4;
    pub const PUSH_PROMISE: u8 = 0x5;
    pub const PING: u8 = 0x6;
    pub const GOAWAY: u8 = 0x7;
    pub const WINDOW_UPDATE: u8 = 0x8;
    pub const CONTINUATION: u8 = 0x9;
}

pub(crate) mod flag {
    pub const END_STREAM: u8 = 0x1;
    pub const ACK: u8 = 0x1;
    pub const END_HEADERS: u8 = 0x4;
    pub const PADDED: u8 = 0x8;
    pub const PRIORITY: u8 = 0x20;
}

/// SETTINGS_MAX_FRAME_SIZE default (RFC 9113 §6.5.2); the largest frame allowed until a peer raises it.
pub(crate) const DEFAULT_MAX_FRAME: u32 = 16_384;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Head {
    pub len: u32,
    pub kind: u8,
    pub flags: u8,
    /// Stream identifier with the reserved bit cleared.
    pub stream: u32,
}

impl Head {
    pub(crate) fn parse(b: &[u8; HEAD_LEN]) -> Self {
        Self {
            len: u32::from_be_bytes([0, b[0], b[1], b[2]]),
            kind: b[3],
            flags: b[4],
            stream: u32::from_be_bytes([b[5], b[6], b[7], b[8]]) & 0x7fff_ffff,
        }
    }

    pub(crate) fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }

    /// Could this be a real frame header? Used to find frame boundaries after a gap or a mid-stream
    /// join, where any byte may be where we start. Checks the rules a sender MUST follow: known
    /// type, length within the frame size limit, fixed lengths (§6.3, §6.4, §6.5, §6.7, §6.9),
    /// stream 0 only for connection frames, flags defined for the type, reserved bit clear.
    pub(crate) fn plausible(raw: &[u8; HEAD_LEN], max_frame: u32) -> bool {
        let h = Self::parse(raw);
        if raw[5] & 0x80 != 0 || h.len > max_frame {
            return false;
        }
        let conn = h.stream == 0;
        let (ok_len, ok_stream, flags) = match h.kind {
            kind::DATA => (true, !conn, flag::END_STREAM | flag::PADDED),
            kind::HEADERS => (
                h.len > 0,
                !conn,
                flag::END_STREAM | flag::END_HEADERS | flag::PADDED | flag::PRIORITY,
            ),
            kind::PRIORITY => (h.len == 5, !conn, 0),
            kind::RST_STREAM => (h.len == 4, !conn, 0),
            kind::SETTINGS => (
                h.len.is_multiple_of(6) && (h.len == 0 || h.flags & flag::ACK == 0),
                conn,
                flag::ACK,
            ),
            kind::PUSH_PROMISE => (h.len >= 4, !conn, flag::END_HEADERS | flag::PADDED),
            kind::PING => (h.len == 8, conn, flag::ACK),
            kind::GOAWAY => (h.len >= 8, conn, 0),
            kind::WINDOW_UPDATE => (h.len == 4, true, 0),
            kind::CONTINUATION => (h.len > 0, !conn, flag::END_HEADERS),
            _ => return false,
        };
        ok_len && ok_stream && h.flags & !flags == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_plausible() {
        let raw = [0, 0, 4, kind::RST_STREAM, 0, 0x80, 0, 0, 3];
        let h = Head::parse(&raw);
        assert_eq!((h.len, h.kind, h.stream), (4, kind::RST_STREAM, 3));
        assert!(
            !Head::plausible(&raw, DEFAULT_MAX_FRAME),
            "reserved bit set"
        );
        assert!(Head::plausible(
            &[0, 0, 4, kind::RST_STREAM, 0, 0, 0, 0, 3],
            DEFAULT_MAX_FRAME
        ));
        assert!(Head::plausible(
            &[0, 0, 0, kind::SETTINGS, 1, 0, 0, 0, 0],
            DEFAULT_MAX_FRAME
        ));
        assert!(!Head::plausible(
            &[0, 0, 6, kind::SETTINGS, 1, 0, 0, 0, 0],
            DEFAULT_MAX_FRAME
        ));
        assert!(!Head::plausible(
            &[0, 0x40, 1, kind::DATA, 0, 0, 0, 0, 1],
            DEFAULT_MAX_FRAME
        ));
        assert!(!Head::plausible(b"GET / HTT", DEFAULT_MAX_FRAME));
    }
}
