//! Remote file inclusion: a parameter whose whole value is a URL to code on another host — an
//! IP-literal host, a trailing `?` (to cut off an appended suffix), or a script extension — or
//! any remote URL given to a parameter whose name says it holds a local filesystem location
//! (`_CONF[path]`, `mosConfig_absolute_path`, `GALLERY_BASEDIR`): an application that builds
//! an include from such a value loads the attacker's code.

use super::prefilter::{lits, LitSet, Lits};
use super::rules::{first, Rule};
use super::{ssrf, AttackType, Detector, Finding};
use crate::point::{Leaf, Place, PointPart};

/// Last word of a parameter name that holds a local path, directory or include target: a
/// file, a template, a page or module the application loads by name, a language or theme
/// file (`?lang=`, `?page=`, `templateFile`, `mod_path`).
const PATH_WORDS: &[&str] = &[
    "path", "dir", "root", "basedir", "rootdir", "docroot", "include", "require", "folder", "file",
    "filename", "filepath", "template", "tpl", "inc", "module", "lang", "language", "theme",
    "skin", "layout", "page", "conf", "config", "lib", "plugin",
];

/// [`PATH_WORDS`] that still name a file at the end of a camelCase name.
const CAMEL_WORDS: &[&str] = &[
    "path", "dir", "file", "filename", "filepath", "template", "tpl", "folder", "module", "layout",
    "theme", "skin", "include",
];

pub struct Rfi {
    rules: Vec<Rule>,
    /// A URL with an IP-literal host: code fetched from a bare address. Internal addresses are
    /// SSRF's (a request forged to the inside, not code from outside), reported once, by it.
    ip_host: Rule,
    remote: Rule,
    gate: Lits,
}

pub fn detector() -> Rfi {
    Rfi {
        ip_host: Rule::new(
            &["://"],
            r"^\s*(?:https?|ftps?|smb|ldap)://(?:[^/@\s]*@)?(?:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[[0-9a-f:.]*:[0-9a-f:.%]*\])",
            "url with ip host",
        ),
        rules: vec![
            Rule::new(
                &["://"],
                r"^\s*(?:https?|ftps?)://[^\s]+\?+\s*$",
                "url ending in ?",
            ),
            Rule::new(
                &["://"],
                r"^\s*(?:https?|ftps?)://[^\s?]+\.(?:php\d?|phtml|txt|jsp|asp|aspx|pl|py|sh|cgi)(?:\?|%00|\x00|$)",
                "url to script file",
            ),
            Rule::new(&["\\\\"], r"^\s*\\\\[a-z0-9.-]+\\[a-z0-9$]", "unc path"),
            Rule::new(
                &["file:", "jar:", "netdoc:"],
                r"^\s*(?:url:)?(?:file|local_file|netdoc)://|^\s*jar:(?:https?|file|ftp):",
                "local or archive url scheme",
            ),
        ],
        remote: Rule::new(
            &["://"],
            r"^\s*(?:https?|ftps?|smb)://[^\s/?#]*[a-z0-9]",
            "remote url in path parameter",
        ),
        gate: lits(&["://", "\\\\", "file:", "jar:", "netdoc:"]),
    }
}

/// The parameter name ends in a word from [`PATH_WORDS`] (`_CONF[path]` → `path`).
fn path_param(leaf: &Leaf) -> bool {
    let Some(key) = leaf.point.0.iter().rev().find_map(|p| match p {
        PointPart::Key(k) => Some(k),
        _ => None,
    }) else {
        return false;
    };
    let mut words = key
        .rsplit(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    let last = words.next();
    // The last word of a camelCase name (`templateFile` → `File`), for the words that name
    // a file there; `homePage`, `nextPage` are links.
    let camel = last.and_then(|w| {
        w.char_indices()
            .rev()
            .find(|&(i, c)| {
                c.is_ascii_uppercase() && w[..i].bytes().any(|b| b.is_ascii_lowercase())
            })
            .map(|(i, _)| &w[i..])
    });
    if camel.is_some_and(|w| CAMEL_WORDS.iter().any(|p| w.eq_ignore_ascii_case(p))) {
        return true;
    }
    // `include(…)`, `require[file]`: the include verb anywhere in the name.
    last.is_some_and(|w| PATH_WORDS.iter().any(|p| w.eq_ignore_ascii_case(p)))
        || words
            .chain(last)
            .any(|w| w.eq_ignore_ascii_case("include") || w.eq_ignore_ascii_case("require"))
}

impl Detector for Rfi {
    fn attack(&self) -> AttackType {
        AttackType::Rfi
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        if leaf.is_name
            || !matches!(leaf.place, Place::Query | Place::Body | Place::Cookie)
            || !present.any(&self.gate)
        {
            return None;
        }
        let lower = leaf.lower.as_str();
        if let Some((a, b, reason)) = first(&self.rules, lower, present) {
            return Some(Finding { at: a..b, reason });
        }
        if let Some((a, b, reason)) = first(std::slice::from_ref(&self.ip_host), lower, present)
            .filter(|_| !ssrf::internal_url(lower))
        {
            return Some(Finding { at: a..b, reason });
        }
        if !path_param(leaf) {
            return None;
        }
        first(std::slice::from_ref(&self.remote), lower, present)
            .map(|(a, b, reason)| Finding { at: a..b, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::Point;

    fn hit_in(key: &str, v: &str) -> bool {
        let leaf = Leaf::new(Point::name("get").with_key(key), Place::Query, v.to_owned());
        // The detector first: it interns the literals the prefilter is built from.
        let d = detector();
        let present = crate::detect::prefilter::Prefilter::current().scan(&leaf.lower);
        d.check(&leaf, &present).is_some()
    }

    #[test]
    fn finds_remote_includes() {
        for (k, v) in [
            ("q", "http://203.0.113.7/shell.txt"),
            ("q", "http://[2001:db8::1]/x"),
            ("q", "https://evil.example/x.txt?"),
            ("q", "ftp://evil.example/c99.php"),
            ("q", "jar:https://evil.example/a.jar!/"),
            ("lib[path]", "https://evil.example"),
            ("settings_basedir", "http://evil.example/"),
            ("conf.rootdir", "ftp://evil.example/inc/"),
            ("template_include", "https://cdn.evil.example/x"),
            ("include(page)", "http://evil.example/"),
            ("page", "http://evil.example/shell"),
            ("lang", "https://evil.example/en"),
            ("templateFile", "http://evil.example/t"),
            ("mod[file]", "ftp://evil.example/x"),
            ("theme_layout", "https://evil.example/"),
        ] {
            assert!(hit_in(k, v), "{k}={v}");
        }
    }

    /// Internal addresses are SSRF's to report (`ssrf::internal_url`), in any notation; a
    /// script on an internal host is still an include.
    #[test]
    fn leaves_internal_ip_hosts_to_ssrf() {
        for v in [
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.1:8080/admin",
            "https://10.0.0.5/",
            "http://[::1]/x",
            "ftp://192.168.1.1/",
        ] {
            assert!(!hit_in("q", v), "{v}");
            assert!(super::ssrf::internal_url(v), "{v}");
        }
        assert!(hit_in("q", "http://10.0.0.5/shell.php"));
        assert!(hit_in("q", "http://198.51.100.23/"));
        assert!(!super::ssrf::internal_url("http://198.51.100.23/"));
    }

    #[test]
    fn ignores_urls_in_ordinary_parameters() {
        for (k, v) in [
            ("url", "https://example.com/page"),
            ("homepage", "https://github.com/npm/cli"),
            ("path", "/var/www/uploads"),
            ("path", "docs/readme.md"),
            ("image_path", "uploads/2024/cat.png"),
            ("dir", "https://"),
            ("pathname", "https://example.com/"),
            ("root_url", "https://example.com/"),
            ("included", "https://example.com/"),
            ("profile", "https://example.com/u/1"),
            ("page_url", "https://example.com/"),
            ("filed", "https://example.com/"),
            ("homePage", "https://example.com/"),
            ("languages", "https://example.com/"),
            ("page", "2"),
        ] {
            assert!(!hit_in(k, v), "{k}={v}");
        }
    }
}
