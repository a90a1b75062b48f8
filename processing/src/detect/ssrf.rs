//! Server-side request forgery: a URL (or a bare `host/path`) whose host is parsed the way URL
//! libraries parse it and then classified. The host is taken after the last `@` of the
//! authority (so `http://google.com:80 &@10.0.0.1/` is `10.0.0.1`), after the slashes and
//! backslashes that WHATWG parsers skip (`http:127.0.0.1`, `http:\\x`), with Unicode forms
//! that IDNA maps to ASCII folded (`①②⑦.⓪.⓪.①`, `ⓛⓞⓒⓐⓛⓗⓞⓢⓣ`, `169。254…`). A host is
//! flagged when it is loopback, private, link-local or cloud metadata — as an IPv4 address in
//! any notation the WHATWG IPv4 parser accepts, an IPv6 literal (v4-mapped included) or a
//! well-known internal name — or when it is a number written in a non-canonical notation
//! (`0x7f000001`, `0251.0376.…`, `169.16689662`): legitimate links do not spell addresses that
//! way, filters that compare strings miss them. Schemes that only make sense against internal
//! services (`gopher://`, `dict://`) are flagged whatever the host.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::prefilter::{lits, LitSet, Lits};
use super::rules::{first, Rule};
use super::{AttackType, Detector, Finding};
use crate::point::{Leaf, Place};

/// Schemes whose authority WHATWG parses even without `//` (`http:host`).
const SPECIAL: &[&str] = &["http", "https", "ftp", "ws", "wss"];

/// Names that resolve to the local machine or the cluster/cloud control plane.
const NAMES: &[&str] = &[
    "localhost",
    "localdomain",
    "ip6-localhost",
    "ip6-loopback",
    "ipv6-localhost",
    "ipv6-loopback",
    "broadcasthost",
    "metadata",
    "instance-data",
    "kubernetes",
    "kubernetes.default",
    "metadata.packet.net",
    "metadata.azure.com",
    // Public DNS names that resolve to 127.0.0.1, used to pass "no localhost" checks.
    "localtest.me",
    "lvh.me",
    "vcap.me",
    "localh.st",
];

/// Suffixes of internal zones, of wildcard DNS that resolves to an address embedded in the
/// name (`10.0.0.1.nip.io`), and of out-of-band callback services used to confirm blind SSRF.
const SUFFIXES: &[&str] = &[
    ".localhost",
    ".localdomain",
    ".internal",
    ".local",
    ".svc.cluster.local",
    ".localtest.me",
    ".lvh.me",
    ".vcap.me",
    ".nip.io",
    ".xip.io",
    ".sslip.io",
    ".burpcollaborator.net",
    ".oastify.com",
    ".interact.sh",
    ".oast.pro",
    ".oast.live",
    ".oast.site",
    ".oast.online",
    ".oast.fun",
    ".oast.me",
];

pub struct Ssrf {
    schemes: Vec<Rule>,
    /// Pieces of [`NAMES`] and [`SUFFIXES`]: without one, no host can be an internal name.
    name_gate: Lits,
}

pub fn detector() -> Ssrf {
    Ssrf {
        schemes: vec![Rule::new(
            &[
                "gopher:", "dict:", "ldap:", "tftp:", "jar:", "netdoc:", "sftp:",
            ],
            r"^\s*(?:gopher|dict|ldaps?|tftp|jar|netdoc|sftp)://",
            "internal-service url scheme",
        )],
        name_gate: lits(&[
            "local",
            "internal",
            "metadata",
            "instance-data",
            "kubernetes",
            "loopback",
            "broadcasthost",
            "lvh.me",
            "vcap.me",
            "localh.st",
            "nip.io",
            "xip.io",
            "sslip.io",
            "burpcollaborator",
            "oastify",
            "interact.sh",
            "oast.",
        ]),
    }
}

fn url_like(leaf: &Leaf) -> bool {
    !leaf.is_name && leaf.place != Place::Header
        || leaf
            .header
            .as_deref()
            .is_some_and(|h| !matches!(h, "HOST" | "ORIGIN" | "REFERER"))
}

impl Detector for Ssrf {
    fn attack(&self) -> AttackType {
        AttackType::Ssrf
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        let lower = leaf.lower.as_str();
        if !url_like(leaf) || memchr::memchr2(b':', b'/', lower.as_bytes()).is_none() {
            return None;
        }
        if let Some((a, b, reason)) = first(&self.schemes, lower, present) {
            return Some(Finding { at: a..b, reason });
        }
        let folded = fold(lower);
        let v = folded.trim_start();
        let (authority, schemed) = match scheme_end(v) {
            Some(colon) => {
                let rest = &v[colon + 1..];
                let after = rest.trim_start_matches(['/', '\\']);
                // `mailto:x`, `urn:x`: no authority unless the scheme is one WHATWG treats
                // as special.
                if after.len() == rest.len() && !SPECIAL.contains(&&v[..colon]) {
                    return None;
                }
                (authority_of(after), true)
            }
            None => {
                // A bare `host/path` (a URL without its scheme) counts only when it has a path
                // and the first segment is host-shaped: `localhost/x`, not prose.
                let slash = v.find('/')?;
                let a = &v[..slash];
                let rest = v[slash + 1..].trim_end();
                // `10.0.0.0/8` is a CIDR block (firewall and VPC settings), not a URL.
                let cidr =
                    !rest.is_empty() && rest.len() <= 3 && rest.bytes().all(|c| c.is_ascii_digit());
                if a.is_empty() || a.contains(char::is_whitespace) || cidr {
                    return None;
                }
                (a, false)
            }
        };
        // `http://evil.example#@10.0.0.1`: parsers that do not end the authority at `#` take
        // the host after the `@`.
        let start = authority.as_ptr() as usize - v.as_ptr() as usize;
        let past_fragment = v[start..]
            .split(['/', '?'])
            .next()
            .filter(|a| schemed && a.len() > authority.len() && a.contains('@'));
        let widest = past_fragment.unwrap_or(authority);
        // Nothing to classify without a digit (an address) or a name literal; this skips the
        // `Mozilla/5.0` and `text/html` of every request cheaply. Folded or backslash-split
        // names (`l\o\c…`) are not in `present`; an IPv6 literal (`[::]`) may have no digit.
        let names = matches!(folded, Cow::Owned(_))
            || present.any(&self.name_gate)
            || widest.contains(['\\', '[']);
        if !names && !widest.bytes().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let reason = classify(authority, schemed)
            .or_else(|| past_fragment.and_then(|a| classify(a, true)))?;
        let reason = match (reason, schemed) {
            (Class::Internal, true) => "url to internal address",
            (Class::Internal, false) => "internal host reference",
            (Class::Obfuscated, _) => "obfuscated ip address",
        };
        // The scheme and authority, when the value was not rewritten by `fold`.
        let at = match folded {
            Cow::Borrowed(_) => {
                let start = lower.len() - v.len();
                let end = authority.as_ptr() as usize - lower.as_ptr() as usize + authority.len();
                start..end.max(start + 1).min(lower.len())
            }
            Cow::Owned(_) => 0..lower.len(),
        };
        Some(Finding { at, reason })
    }
}

/// Index of the `:` ending a URL scheme at the start of `v`, if it has one.
fn scheme_end(v: &str) -> Option<usize> {
    let b = v.as_bytes();
    if !b.first()?.is_ascii_lowercase() {
        return None;
    }
    let n = b
        .iter()
        .take(17)
        .position(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || b"+.-".contains(&c)))?;
    (n >= 2 && b[n] == b':').then_some(n)
}

/// The authority: everything up to the path, query or fragment.
fn authority_of(s: &str) -> &str {
    s.find(['/', '?', '#']).map_or(s, |e| &s[..e])
}

/// `http://10.0.0.1/x`, `ftp://[::1]/`: a URL with a scheme whose host is internal (loopback,
/// private, link-local, metadata) in any notation. For detectors that leave those to SSRF.
pub(super) fn internal_url(url: &str) -> bool {
    let v = url.trim_start();
    let Some(colon) = scheme_end(v) else {
        return false;
    };
    let after = v[colon + 1..].trim_start_matches(['/', '\\']);
    classify(authority_of(after), true) == Some(Class::Internal)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Class {
    Internal,
    Obfuscated,
}

/// The host of an authority, as a parser that ends the authority at `\` sees it and as one
/// that drops backslashes sees it; the worse of the two.
/// Without a scheme, only dotted quads and long numbers count as addresses: `2024/05` and
/// `1.5/3` are dates and ratios, and a non-canonical number proves nothing.
fn classify(authority: &str, schemed: bool) -> Option<Class> {
    let hostport = authority.rsplit('@').next().unwrap_or(authority);
    let class_of = |h: &str| class_of(h).filter(|_| schemed || address_shaped(h));
    if !hostport.contains('\\') {
        return class_of(hostport).filter(|&c| schemed || c == Class::Internal);
    }
    let cut = hostport.split('\\').next().unwrap_or_default();
    let joined: String = hostport.chars().filter(|&c| c != '\\').collect();
    match (class_of(cut), class_of(&joined)) {
        (Some(Class::Internal), _) | (_, Some(Class::Internal)) => Some(Class::Internal),
        (a, b) => a.or(b).filter(|_| schemed),
    }
}

fn address_shaped(hostport: &str) -> bool {
    let host = hostport.split(':').next().unwrap_or_default();
    let numeric = host
        .bytes()
        .all(|c| c.is_ascii_hexdigit() || c == b'.' || c == b'x');
    !numeric || host.split('.').count() == 4 || host.starts_with("0x") || host.len() >= 8
}

fn class_of(hostport: &str) -> Option<Class> {
    let hostport = hostport.trim();
    if let Some(inner) = hostport.strip_prefix('[') {
        let inner = inner.split(']').next().unwrap_or_default();
        return v6_class(inner);
    }
    // A bare IPv6 address (`::1`, `fe80::1`) has several colons; a port has one.
    if hostport.matches(':').count() >= 2 {
        return v6_class(hostport);
    }
    let host = hostport.split(':').next().unwrap_or_default();
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    match parse_v4(host) {
        // 0.x.y.z (other than 0.0.0.0) cannot be connected to: a short number such as
        // `0xabcdef` is not an address anyone can reach.
        V4::Addr(ip, _) if ip != 0 && ip >> 24 == 0 => None,
        V4::Addr(ip, canonical) => {
            if internal_v4(ip) {
                Some(Class::Internal)
            } else if !canonical {
                Some(Class::Obfuscated)
            } else {
                None
            }
        }
        V4::Overflow => Some(Class::Obfuscated),
        V4::Name => internal_name(host).then_some(Class::Internal),
    }
}

fn v6_class(s: &str) -> Option<Class> {
    // `fe80::1%eth0`: the zone id is not part of the address.
    let addr = s.split('%').next().unwrap_or_default();
    let ip: Ipv6Addr = addr.parse().ok()?;
    let seg = ip.segments();
    let v4 = ip.to_ipv4_mapped().or_else(|| {
        // IPv4-compatible (`::a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`) embed an address too.
        let compat = seg[..6] == [0; 6] && (seg[6] != 0 || seg[7] > 1);
        let nat64 = seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
        (compat || nat64).then(|| Ipv4Addr::from(u32::from(seg[6]) << 16 | u32::from(seg[7])))
    });
    let internal = ip.is_loopback()
        || ip.is_unspecified()
        || seg[0] & 0xfe00 == 0xfc00 // unique local
        || seg[0] & 0xffc0 == 0xfe80 // link-local
        || seg[0] & 0xffc0 == 0xfec0 // site-local (deprecated, still routed inside)
        || ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) // AWS metadata
        || v4.is_some_and(|a| internal_v4(u32::from(a)));
    internal.then_some(Class::Internal)
}

enum V4 {
    /// The address and whether it was written as four plain decimal bytes.
    Addr(u32, bool),
    /// Numbers too large for their place: parsers that wrap or keep the low bits read an
    /// address, a string filter reads a name.
    Overflow,
    Name,
}

/// The WHATWG IPv4 parser: one to four dot-separated numbers, each decimal, `0x` hex or
/// leading-zero octal, the last filling the remaining bytes (`127.1`, `2130706433`).
fn parse_v4(host: &str) -> V4 {
    // Most hosts are names: the last label decides, as in WHATWG.
    let last = host.rsplit('.').next().unwrap_or(host);
    let k = host.split('.').count();
    if parse_num(last).is_none() || k > 4 {
        return V4::Name;
    }
    let mut canonical = k == 4;
    let mut ip = 0u64;
    for (i, p) in host.split('.').enumerate() {
        let Some((n, plain)) = parse_num(p) else {
            return V4::Name;
        };
        let limit = if i + 1 == k {
            1u64 << (8 * (5 - k))
        } else {
            256
        };
        match n {
            Some(n) if n < limit => ip += if i + 1 == k { n } else { n << (8 * (3 - i)) },
            // `425.510.425.510`, `0x41414141a9fea9fe`: parsers that wrap or keep the low
            // bits read an address, a string filter reads a name.
            _ => return V4::Overflow,
        }
        canonical &= plain;
    }
    V4::Addr(ip as u32, canonical)
}

/// One IPv4 part: `None` when it is not a number, `Some((None, _))` when it is one too long
/// to hold; the flag says it is plain decimal without a leading zero.
fn parse_num(p: &str) -> Option<(Option<u64>, bool)> {
    let (digits, radix) = if let Some(h) = p.strip_prefix("0x") {
        (h, 16)
    } else if p.len() > 1 && p.starts_with('0') {
        (&p[1..], 8)
    } else {
        (p, 10)
    };
    if p.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if digits.is_empty() {
        return Some((Some(0), false));
    }
    Some((u64::from_str_radix(digits, radix).ok(), radix == 10))
}

fn internal_v4(ip: u32) -> bool {
    let [a, b, c, _] = ip.to_be_bytes();
    ip == 0
        || a == 10
        || a == 127
        || (a == 100 && b & 0xc0 == 64) // carrier-grade NAT; Alibaba metadata 100.100.100.200
        || (a == 169 && b == 254)
        || (a == 172 && b & 0xf0 == 16)
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && c == 0) // Oracle Cloud metadata 192.0.0.192
}

fn internal_name(host: &str) -> bool {
    let base = host.trim_end_matches(|c: char| c.is_ascii_digit());
    // `localhost4`, `localhost6`.
    NAMES.contains(&host)
        || base == "localhost"
        || SUFFIXES.iter().any(|s| host.ends_with(s))
        || host.starts_with("kubernetes.default.")
}

/// Maps the characters IDNA (UTS #46) turns into ASCII letters, digits and dots: full-width
/// forms, circled letters and digits, ideographic full stops. Borrowed when there are none.
fn fold(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                let u = c as u32;
                let m = match u {
                    0xff01..=0xff5e => u - 0xfee0,
                    0x2460..=0x2468 => u - 0x2460 + u32::from(b'1'),
                    0x24ea | 0x24ff => u32::from(b'0'),
                    0x24b6..=0x24cf => u - 0x24b6 + u32::from(b'a'),
                    0x24d0..=0x24e9 => u - 0x24d0 + u32::from(b'a'),
                    0x3002 | 0xff61 => u32::from(b'.'),
                    _ => u,
                };
                char::from_u32(m).map_or(c, |m| m.to_ascii_lowercase())
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(v: &str) -> Option<&'static str> {
        crate::detect::check_one(&detector(), v).map(|f| f.reason)
    }

    #[test]
    fn finds_internal_hosts_in_any_notation() {
        for v in [
            "http://127.0.0.1:8080/admin",
            "https://10.1.2.3/",
            "http://[::1]/",
            "http://[::]/",
            "http://[::ffff:7f00:1]/x",
            "http://[0:0:0:0:0:ffff:10.0.0.5]/",
            "http://[fe80::1%25eth0]/",
            "http://[fd12:3456::1]/",
            "http:10.0.0.1",
            "https:\\\\192.168.0.1\\x",
            "http:///169.254.169.254/latest",
            "http://0x7f.1/",
            "http://0/",
            "http://017700000001/",
            "http://127.1/",
            "http://10.65535/",
            "http://user:pw@localhost/",
            "http://a.example:80 &@172.16.0.9:22/#@a.example/",
            "http://a.example#@10.1.1.1/",
            "http://\\l\\o\\c\\a\\l\\h\\o\\s\\t/",
            "ftp://metadata.google.internal/",
            "http://ⓜⓔⓣⓐⓓⓐⓣⓐ/",
            "http://①⓪.⓪.⓪.①/",
            "http://１２７．０．０．１/",
            "wss://ip6-loopback/",
            "http://localhost./",
            "localhost4/status",
            "app.127.0.0.1.nip.io/x",
            "http://sub.lvh.me/",
            "gopher://example.com/_x",
        ] {
            assert!(hit(v).is_some(), "{v}");
        }
    }

    #[test]
    fn finds_obfuscated_public_addresses() {
        for v in [
            "http://0x5db8d822/",
            "http://1571346466/",
            "http://0x41414141a9fea9fe/",
            "http://0135.0270.0330.042/",
            "http://425.510.425.510/",
        ] {
            assert_eq!(hit(v), Some("obfuscated ip address"), "{v}");
        }
    }

    #[test]
    fn ignores_public_urls_and_text() {
        for v in [
            "https://example.com/a?b=c",
            "http://93.184.216.34/",
            "http://[2606:2800:220:1::]/",
            "mailto:alice@example.com",
            "urn:isbn:0451450523",
            "https://10.example.com/",
            "http://local.example.org/",
            "https://cdn.example.com/images/hero@2x.webp",
            "https://app.example.com/#/users/@me",
            "https://app.example.com#@example.org",
            "2024/05/17",
            "and/or localhost",
            "see http://example.com for 127.0.0.1 docs",
            "a:b:c",
            "12:30",
            "https://1e100.net/",
            "http://www.localhost-tools.com/",
            "http:0xabcdef",
            "http://12345/",
            "Service1.svc/GetData",
            "10.0.0.0/8",
            "192.168.10.0/24",
            "fd00::/8",
        ] {
            assert!(hit(v).is_none(), "{v}");
        }
    }
}
