//! Pathname expansion as the shell does it: `?`, `*` and bracket classes, used to resolve a
//! globbed path (`/???/??t`, `/etc/pas[s]wd`, `/et*/*wd`) to the system file or command it
//! names. Patterns and names are short (bounded by the callers), so the backtracking matcher
//! costs at most their product.

use super::commands::COMMANDS;

/// Longest path token resolved; longer ones are not how anyone spells `/bin/cat`.
const MAX_TOKEN: usize = 64;

/// Does `pat` (with `?`, `*`, `[…]`, `[!…]`) match all of `name`? `*` and `?` never match `/`.
pub fn glob(pat: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    // Last `*` seen and the name position it was tried at, for backtracking.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        let step = match pat.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
                continue;
            }
            Some(b'?') if name[n] != b'/' => Some(p + 1),
            Some(b'[') => class(pat, p, name[n]),
            Some(&c) if c == name[n] => Some(p + 1),
            _ => None,
        };
        match step {
            Some(next) => {
                p = next;
                n += 1;
            }
            None => match star {
                Some((sp, sn)) if name[sn] != b'/' => {
                    star = Some((sp, sn + 1));
                    p = sp + 1;
                    n = sn + 1;
                }
                _ => return false,
            },
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

/// A bracket class at `pat[p]` against `c`: the index after the class when it matches.
fn class(pat: &[u8], p: usize, c: u8) -> Option<usize> {
    let mut i = p + 1;
    let negate = matches!(pat.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let first = i;
    let mut hit = false;
    while i < pat.len() && (pat[i] != b']' || i == first) {
        if pat.get(i + 1) == Some(&b'-') && pat.get(i + 2).is_some_and(|&e| e != b']') {
            hit |= (pat[i]..=pat[i + 2]).contains(&c);
            i += 3;
        } else {
            hit |= pat[i] == c;
            i += 1;
        }
    }
    // An unclosed `[` is a literal bracket.
    if i >= pat.len() {
        return (c == b'[').then_some(p + 1);
    }
    (hit != negate && c != b'/').then_some(i + 1)
}

fn has_glob(t: &[u8]) -> bool {
    t.iter().any(|c| matches!(c, b'?' | b'*' | b'['))
}

/// Files whose mere reading is the attack.
const FILES: &[&str] = &[
    "/etc/passwd",
    "/etc/shadow",
    "/etc/group",
    "/etc/hosts",
    "/etc/issue",
    "/etc/sudoers",
    "/etc/crontab",
    "/proc/self/environ",
    "/proc/self/cmdline",
    "/etc",
    "/bin",
    "/usr/bin",
];

const BIN_DIRS: &[&str] = &[
    "/bin/",
    "/usr/bin/",
    "/sbin/",
    "/usr/sbin/",
    "/usr/local/bin/",
];

/// What a globbed absolute path resolves to: a sensitive file or a command in a system
/// directory. Only tokens with a glob character and a literal letter are tried: `/???` alone
/// names nothing, and plain paths are other rules' business.
pub fn resolve(token: &[u8]) -> Option<&'static str> {
    if token.len() > MAX_TOKEN
        || token.first() != Some(&b'/')
        || !has_glob(token)
        || !token.iter().any(u8::is_ascii_alphabetic)
    {
        return None;
    }
    if let Some(f) = FILES.iter().find(|f| glob(token, f.as_bytes())) {
        return Some(f);
    }
    let slash = token.iter().rposition(|&c| c == b'/')?;
    let (dir, name) = token.split_at(slash + 1);
    if name.is_empty() || !BIN_DIRS.iter().any(|d| glob(dir, d.as_bytes())) {
        return None;
    }
    COMMANDS
        .iter()
        .find(|c| c.len() >= 2 && glob(name, c.as_bytes()))
        .copied()
}

/// Brace expansion at the start of `s` (`{,ip,a}`, `{l,-lh}s`): the words it expands to, as
/// `(start, end)` pieces of the comma list plus the shared suffix. `None` when `s` does not
/// start with a single-level brace list holding a comma.
pub fn brace_words(s: &str) -> Option<(Vec<&str>, &str)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'{') {
        return None;
    }
    let close = b
        .iter()
        .take(MAX_TOKEN * 2)
        .position(|&c| c == b'}' || c.is_ascii_whitespace())?;
    if b[close] != b'}' || !s[1..close].contains(',') || s[1..close].contains('{') {
        return None;
    }
    let suffix_len = b[close + 1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        .count();
    let suffix = &s[close + 1..close + 1 + suffix_len];
    let words = s[1..close].split(',').collect();
    Some((words, suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_the_shell() {
        assert!(glob(b"/???/??t", b"/bin/cat"));
        assert!(glob(b"/et*/*wd", b"/etc/passwd"));
        assert!(glob(b"/etc/pas[s]wd", b"/etc/passwd"));
        assert!(glob(b"/etc/[!q]asswd", b"/etc/passwd"));
        assert!(glob(b"/[a-f]tc", b"/etc"));
        assert!(!glob(b"/*", b"/etc/passwd"));
        assert!(!glob(b"/etc/pas[!s]wd", b"/etc/passwd"));
    }

    #[test]
    fn resolves_system_paths_only() {
        assert_eq!(resolve(b"/???/??t"), Some("cat"));
        assert_eq!(resolve(b"/[e///]tc"), Some("/etc"));
        assert_eq!(resolve(b"/???/?s"), Some("ls"));
        assert_eq!(resolve(b"/usr/bin/who?mi"), Some("whoami"));
        assert_eq!(resolve(b"/etc/pas[s]wd"), Some("/etc/passwd"));
        for t in [
            "/posts/[slug]",
            "/search?q=a",
            "/???",
            "/api/*/items",
            "/bin/cat",
        ] {
            assert_eq!(resolve(t.as_bytes()), None, "{t}");
        }
    }

    #[test]
    fn brace_lists() {
        let (w, suf) = brace_words("{l,-lh}s x").unwrap_or_default();
        assert_eq!((w, suf), (vec!["l", "-lh"], "s"));
        assert!(brace_words("{a b,c}").is_none());
        assert!(brace_words("{\"a\":1}").is_none());
    }
}
