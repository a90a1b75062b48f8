//! `Cookie` header pairs (RFC 6265 §4.2), percent-decoded as most frameworks do.

use std::borrow::Cow;

/// `(name, value)` pairs; a fragment without `=` is a value with an empty name.
pub fn pairs(header: &[u8]) -> impl Iterator<Item = (&[u8], Cow<'_, [u8]>)> + '_ {
    header.split(|&b| b == b';').filter_map(|frag| {
        let frag = frag.trim_ascii();
        if frag.is_empty() {
            return None;
        }
        let (k, v) = match frag.iter().position(|&b| b == b'=') {
            Some(eq) => (&frag[..eq], &frag[eq + 1..]),
            None => (&frag[..0], frag),
        };
        Some((
            k.trim_ascii(),
            super::percent::decode(v.trim_ascii(), false),
        ))
    })
}
