//! `application/x-www-form-urlencoded` and query strings.

/// Decoded `(key, value)` pairs; `None` value for a pair without `=`. Empty pairs are skipped.
pub fn pairs(data: &[u8]) -> impl Iterator<Item = (Vec<u8>, Option<Vec<u8>>)> + '_ {
    data.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let dec = |b: &[u8]| super::percent::decode(b, true).into_owned();
            match pair.iter().position(|&b| b == b'=') {
                Some(eq) => (dec(&pair[..eq]), Some(dec(&pair[eq + 1..]))),
                None => (dec(pair), None),
            }
        })
}
