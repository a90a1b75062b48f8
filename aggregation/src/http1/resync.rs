//! Finding the next message boundary after a gap, a parse error or a mid-stream join.
//!
//! Trade-off (as linkerd's detect states its own): a passive observer prefers finding the next real
//! message quickly over certainty. A candidate is a line start that looks like a request line
//! (`METHOD SP target SP HTTP/1.x`) or a status line (`HTTP/1.x SP 3DIGIT`); the head parser then has
//! the last word, and a false candidate just costs one more resync.

/// Outcome of a search in one slice.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// A candidate message starts at this offset.
    At(usize),
    /// No candidate before this offset; skip it. The rest might still start one (kept for more bytes).
    Skip(usize),
}

/// A request line longer than this is not looked for (URIs beyond 8 KiB are rejected by most servers).
const MAX_REQUEST_LINE: usize = 8192;
/// Longest method token considered (WebDAV's `VERSION-CONTROL` is 15).
const MAX_METHOD: usize = 20;

/// Searches `data` for a request line start. `line_start` says whether `data[0]` may begin a line.
pub(crate) fn find_request(data: &[u8], line_start: bool) -> Found {
    find(data, line_start, MAX_REQUEST_LINE, is_request_line)
}

/// Searches `data` for a status line start.
pub(crate) fn find_response(data: &[u8], line_start: bool) -> Found {
    find(data, line_start, 16, is_status_line)
}

/// Tri-state check at a line start: Some(true) yes, Some(false) no, None undecided (need more bytes).
type Check = fn(&[u8]) -> Option<bool>;

fn find(data: &[u8], line_start: bool, keep_max: usize, check: Check) -> Found {
    let mut pos = if line_start {
        Some(0)
    } else {
        memchr::memchr(b'\n', data).map(|i| i + 1)
    };
    while let Some(p) = pos {
        if p >= data.len() {
            return Found::Skip(p);
        }
        match check(&data[p..]) {
            Some(true) => return Found::At(p),
            // Undecided: keep from here, unless the line is already longer than any valid start.
            None if data.len() - p < keep_max => return Found::Skip(p),
            _ => {}
        }
        pos = memchr::memchr(b'\n', &data[p..]).map(|i| p + i + 1);
    }
    // No line start in the rest: all of it can go.
    Found::Skip(data.len())
}

fn is_request_line(s: &[u8]) -> Option<bool> {
    let method = s
        .iter()
        .take(MAX_METHOD + 1)
        .take_while(|b| b.is_ascii_uppercase() || **b == b'-' || **b == b'_')
        .count();
    if method == 0 || method > MAX_METHOD {
        return Some(false);
    }
    match s.get(method) {
        None => return None,
        Some(b' ') => {}
        Some(_) => return Some(false),
    }
    // The target and version must be visible characters (RFC 9112 §3): a control byte rules the
    // line out, whether or not its end is visible yet (the answer must not depend on where the
    // bytes were cut).
    let visible = |b: &u8| b.is_ascii_graphic() || *b == b' ' || *b == b'\r' || *b >= 0x80;
    let Some(eol) = memchr::memchr(b'\n', &s[method..]).map(|i| method + i) else {
        return if s[method + 1..].iter().all(visible) {
            None
        } else {
            Some(false)
        };
    };
    let line = s[..eol].strip_suffix(b"\r").unwrap_or(&s[..eol]);
    Some(
        line.len() > method + 10
            && (line.ends_with(b" HTTP/1.1") || line.ends_with(b" HTTP/1.0"))
            && line[method + 1] != b' '
            && line[method + 1..].iter().all(visible),
    )
}

fn is_status_line(s: &[u8]) -> Option<bool> {
    const P: &[u8] = b"HTTP/1.";
    let n = s.len().min(12);
    // Compare what is there; decide once 12 bytes ("HTTP/1.1 200") are visible.
    let want = |i: usize, b: u8| -> bool {
        match i {
            0..=6 => b == P[i],
            7 => b == b'0' || b == b'1',
            8 => b == b' ',
            _ => b.is_ascii_digit(),
        }
    };
    if !s[..n].iter().enumerate().all(|(i, &b)| want(i, b)) {
        return Some(false);
    }
    if n < 12 {
        None
    } else {
        Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests() {
        assert_eq!(find_request(b"GET / HTTP/1.1\r\n", true), Found::At(0));
        assert_eq!(find_request(b"GET / HTTP/1.1\r\n", false), Found::Skip(16));
        assert_eq!(
            find_request(b"xx\r\nPOST /a HTTP/1.0\r\n", false),
            Found::At(4)
        );
        assert_eq!(find_request(b"xx\r\nPOST /a HT", false), Found::Skip(4));
        assert_eq!(
            find_request(b"xx\r\nPost /a HTTP/1.1\r\nGET /b HTTP/1.1\n", false),
            Found::At(22)
        );
        assert_eq!(find_request(b"body bytes", false), Found::Skip(10));
        assert_eq!(find_request(b"GET  HTTP/1.1\r\n", true), Found::Skip(15));
    }

    /// A control byte in the target rules a line out at every cut of it, its end visible or not
    /// (a fuzzed stream once had its body taken for a request only when the next head was in the
    /// same feed).
    #[test]
    fn the_answer_does_not_depend_on_the_cut() {
        let line = b"D /\x8f\x00\xa1\xffHEAD / HTTP/1.1\r\n";
        for cut in 1..=line.len() {
            assert_ne!(
                find_request(&line[..cut], true),
                Found::At(0),
                "cut at {cut}"
            );
        }
        let good = b"GET /caf\xc3\xa9?q=1 HTTP/1.1\r\n";
        assert_eq!(find_request(good, true), Found::At(0));
        for cut in 1..good.len() {
            assert_eq!(
                find_request(&good[..cut], true),
                Found::Skip(0),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn responses() {
        assert_eq!(find_response(b"HTTP/1.1 200 OK\r\n", true), Found::At(0));
        assert_eq!(find_response(b"abc\nHTTP/1.0 404", false), Found::At(4));
        assert_eq!(find_response(b"abc\nHTTP/1.", false), Found::Skip(4));
        assert_eq!(find_response(b"abc\nHTTP/2 200", false), Found::Skip(14));
    }
}
