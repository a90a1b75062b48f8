//! Percent decoding as servers do it, plus the non-standard forms attackers rely on:
//! `+` as space (form/query only), IIS `%uXXXX`, and overlong UTF-8 (`%c0%ae` → `.`), which some
//! decoders still accept and which would otherwise hide `../` from a byte-level check.

use std::borrow::Cow;

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// True when `input` holds at least one decodable `%XX` or `%uXXXX` escape.
pub fn has_escape(input: &[u8]) -> bool {
    input.windows(3).enumerate().any(|(i, w)| {
        w[0] == b'%'
            && ((hex(w[1]).is_some() && hex(w[2]).is_some())
                || ((w[1] == b'u' || w[1] == b'U')
                    && input.len() >= i + 6
                    && input[i + 2..i + 6].iter().all(|&c| hex(c).is_some())))
    })
}

/// One decoding pass. Invalid escapes stay as they are (servers differ; keeping them is what
/// most of them do). Overlong UTF-8 sequences are folded to the ASCII they encode.
pub fn decode(input: &[u8], plus_as_space: bool) -> Cow<'_, [u8]> {
    if !(input.contains(&b'%') || plus_as_space && input.contains(&b'+')) {
        return fold_overlong(Cow::Borrowed(input));
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                input.get(i + 1).copied().and_then(hex),
                input.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            if matches!(input.get(i + 1), Some(b'u' | b'U')) {
                if let Some(cp) = input.get(i + 2..i + 6).and_then(|d| {
                    d.iter()
                        .try_fold(0u32, |acc, &c| hex(c).map(|v| acc << 4 | u32::from(v)))
                }) {
                    let ch = best_fit(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    i += 6;
                    continue;
                }
            }
            out.push(b);
        } else if b == b'+' && plus_as_space {
            out.push(b' ');
        } else {
            out.push(b);
        }
        i += 1;
    }
    fold_overlong(Cow::Owned(out))
}

/// IIS "best fit" maps some look-alike code points to ASCII, which turns `%u2215` into `/`.
fn best_fit(c: char) -> char {
    match c {
        '\u{2215}' | '\u{2044}' | '\u{FF0F}' => '/',
        '\u{2216}' | '\u{FF3C}' => '\\',
        '\u{2024}' | '\u{FF0E}' => '.',
        c => c,
    }
}

/// Folds 2-byte (`C0`/`C1` lead) and 3-byte (`E0 80..9F` lead) overlong encodings of ASCII.
fn fold_overlong(input: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    if !input.iter().any(|&b| b == 0xC0 || b == 0xC1 || b == 0xE0) {
        return input;
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        match (b, input.get(i + 1).copied(), input.get(i + 2).copied()) {
            (0xC0 | 0xC1, Some(c), _) if c & 0xC0 == 0x80 => {
                out.push(((b & 0x1F) << 6) | (c & 0x3F));
                i += 2;
            }
            (0xE0, Some(c), Some(d)) if (0x80..0xA0).contains(&c) && d & 0xC0 == 0x80 => {
                let cp = (u32::from(c & 0x3F) << 6) | u32::from(d & 0x3F);
                if cp < 0x80 {
                    out.push(cp as u8);
                } else {
                    out.extend_from_slice(&input[i..i + 3]);
                }
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str, plus: bool) -> String {
        String::from_utf8_lossy(&decode(s.as_bytes(), plus)).into_owned()
    }

    #[test]
    fn decodes_standard_plus_and_iis_forms() {
        assert_eq!(d("a%20b+c", true), "a b c");
        assert_eq!(d("a%20b+c", false), "a b+c");
        assert_eq!(d("%u002e%u002E/", false), "../");
        assert_eq!(d("100%", false), "100%");
        assert_eq!(d("%zz%4", false), "%zz%4");
    }

    #[test]
    fn folds_overlong_utf8() {
        assert_eq!(d("%c0%ae%c0%ae%c0%af", false), "../");
        assert_eq!(d("%e0%80%ae", false), ".");
        // Real non-ASCII stays intact.
        assert_eq!(d("%c3%a9", false), "é");
    }

    #[test]
    fn detects_remaining_escapes() {
        assert!(has_escape(b"%2e"));
        assert!(has_escape(b"x%u002e"));
        assert!(!has_escape(b"100%"));
        assert!(!has_escape(b"%zz"));
    }
}
