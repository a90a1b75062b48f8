//! `application/x-www-form-urlencoded` and query strings.

use std::borrow::Cow;

/// Decoded `(key, value)` pairs; `None` value for a pair without `=`. Empty pairs are skipped.
/// Borrowed where nothing needed decoding.
pub fn pairs(data: &[u8]) -> impl Iterator<Item = (Cow<'_, [u8]>, Option<Cow<'_, [u8]>>)> + '_ {
    data.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let dec = |b| super::percent::decode(b, true);
            match pair.iter().position(|&b| b == b'=') {
                Some(eq) => (dec(&pair[..eq]), Some(dec(&pair[eq + 1..]))),
                None => (dec(pair), None),
            }
        })
}
