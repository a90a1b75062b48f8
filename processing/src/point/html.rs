//! HTML character references and JavaScript escapes (`\uXXXX`, `\u{…}`, `\xXX`), decoded
//! together as browsers would meet them in an attribute holding script.

const NAMED: &[(&str, char)] = &[
    ("lt", '<'),
    ("gt", '>'),
    ("amp", '&'),
    ("quot", '"'),
    ("apos", '\''),
    ("colon", ':'),
    ("tab", '\t'),
    ("newline", '\n'),
    ("lpar", '('),
    ("rpar", ')'),
    ("sol", '/'),
    ("bsol", '\\'),
    ("semi", ';'),
    ("comma", ','),
    ("period", '.'),
    ("excl", '!'),
    ("num", '#'),
    ("equals", '='),
    ("nbsp", ' '),
    ("grave", '`'),
    ("lsqb", '['),
    ("rsqb", ']'),
    ("lbrace", '{'),
    ("rbrace", '}'),
    ("lcub", '{'),
    ("rcub", '}'),
    ("dollar", '$'),
    ("percnt", '%'),
    ("plus", '+'),
    ("ast", '*'),
    ("quest", '?'),
    ("verbar", '|'),
    ("vert", '|'),
    ("lowbar", '_'),
    ("hyphen", '-'),
    ("commat", '@'),
    ("hat", '^'),
];

/// True when `s` holds something [`decode`] would change.
pub fn has_escape(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).any(|w| {
        (w[0] == b'&' && (w[1] == b'#' || w[1].is_ascii_alphabetic()))
            || (w[0] == b'\\' && matches!(w[1], b'u' | b'x' | b'U' | b'X'))
    }) && decode(s) != s
}

fn parse_num(digits: &str, radix: u32) -> Option<char> {
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    u32::from_str_radix(digits, radix)
        .ok()
        .and_then(char::from_u32)
}

/// Decodes references and escapes; anything malformed is kept literally.
pub fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find(['&', '\\']) {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let (ch, used) = if rest.starts_with('&') {
            entity(rest)
        } else {
            js_escape(rest)
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push_str(&rest[..1]);
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(s: &str) -> (Option<char>, usize) {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (radix, digits_start) = match num.as_bytes().first() {
            Some(b'x' | b'X') => (16, 1),
            _ => (10, 0),
        };
        let digits: &str = &num[digits_start..];
        let len = digits
            .bytes()
            .take_while(|b| {
                if radix == 16 {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        // Browsers accept leading zeros and a missing `;`.
        let trimmed = digits[..len].trim_start_matches('0');
        let ch = if len > 0 && trimmed.is_empty() {
            Some('\0')
        } else {
            parse_num(trimmed, radix)
        };
        let semi = usize::from(digits[len..].starts_with(';'));
        return (ch.filter(|_| len > 0), 2 + digits_start + len + semi);
    }
    let name_len = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let name = body[..name_len].to_ascii_lowercase();
    match NAMED.iter().find(|(n, _)| *n == name) {
        Some((_, c)) => (
            Some(*c),
            1 + name_len + usize::from(body[name_len..].starts_with(';')),
        ),
        None => (None, 1),
    }
}

fn js_escape(s: &str) -> (Option<char>, usize) {
    let b = s.as_bytes();
    match b.get(1) {
        Some(b'u' | b'U') if b.get(2) == Some(&b'{') => {
            let end = s[3..].find('}').map(|e| e + 3);
            match end {
                Some(e) => (parse_num(&s[3..e], 16), e + 1),
                None => (None, 1),
            }
        }
        Some(b'u' | b'U') => match s.get(2..6) {
            Some(h) if h.bytes().all(|c| c.is_ascii_hexdigit()) => (parse_num(h, 16), 6),
            _ => (None, 1),
        },
        Some(b'x' | b'X') => match s.get(2..4) {
            Some(h) if h.bytes().all(|c| c.is_ascii_hexdigit()) => (parse_num(h, 16), 4),
            _ => (None, 1),
        },
        _ => (None, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_entities_and_js_escapes() {
        assert_eq!(decode("&lt;script&gt;"), "<script>");
        assert_eq!(decode("&#60;&#x3C;&#0000060"), "<<<");
        assert_eq!(decode("java&Tab;script&colon;"), "java\tscript:");
        assert_eq!(decode("\\u003cimg\\x3e\\u{3c}"), "<img><");
        assert_eq!(decode("a & b \\ c &#;"), "a & b \\ c &#;");
        assert!(!has_escape("fish & chips"));
        assert!(has_escape("&lt;"));
    }
}
