//! PHP injection: opening tags, calls of code-execution functions, superglobals, serialized
//! objects (`O:8:"stdClass":…`) and stream wrappers that turn file access into code execution.

use super::prefilter::{lit, LitId, LitSet};
use super::rules::{first, Rule};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

pub struct Php {
    rules: Vec<Rule>,
    short_tag: LitId,
}

impl Php {
    pub fn new() -> Self {
        // Names unlikely anywhere but PHP code: called with any argument, even glued to other
        // text (`FOOcall_user_func()`).
        let distinct = "shell_exec|proc_open|pcntl_exec|base64_decode|gzinflate|gzuncompress|gzdecode|bzdecompress|str_rot13|file_get_contents|file_put_contents|create_function|call_user_func(?:_array)?|preg_replace|phpinfo|highlight_file|show_source|move_uploaded_file|fsockopen|pfsockopen|curl_exec|hex2bin|convert_uu|escapeshellcmd|escapeshellarg|get_defined_vars|gethostbyname";
        // PHP extension families and plainer names: only as a whole word.
        // Extension prefixes (`pg_`, `sodium_`, `curl_`…) name PHP's C bindings.
        let families = "array_diff\\w*|date_add|checkdate|posix_\\w+|apache_\\w+|mb_ereg\\w*|pg_\\w+|sodium_crypto_\\w+|curl_\\w+|get_defined_\\w+|openssl_\\w+|mysqli_\\w+|stream_socket_\\w+|proc_\\w+|pcntl_\\w+|is_(?:array|string|numeric|callable|object|resource)";
        // Between a function name and its `(`, PHP allows whitespace and comments.
        let gap = r"(?:\s|/\*[^*]*\*/|(?:#|//)[^\n]*\n)*";
        // A gap holding at least one comment: code, not prose spacing.
        let cgap = r"\s*(?:(?:/\*[^*]*\*/|(?:#|//)[^\n]*\n)\s*)+";
        let funcs = "system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert|base64_decode|gzinflate|gzuncompress|str_rot13|file_get_contents|file_put_contents|fopen|fwrite|readfile|include|include_once|require|require_once|create_function|call_user_func|call_user_func_array|preg_replace|phpinfo|highlight_file|show_source|unserialize|move_uploaded_file|chr|ord|fsockopen|curl_exec|mail|putenv|ini_set|set_time_limit|array_map|usort|uasort|array_filter|var_dump|print_r|die|md5|sha1|hex2bin|convert_uu|parse_str|extract|escapeshellcmd|symlink|chmod|unlink|posix_\\w+|apache_\\w+|get_defined_vars|getenv|glob|scandir|opendir|dl";
        let rules = vec![
            Rule::new(
                &["<?", "php]", "php}"],
                r"<\?(?:php|=|\s*$|\s+(?:php\b|echo|print|system|eval|exec|passthru|include|require|\$))|[\[{]\\?/?php[\]}]",
                "php opening tag",
            ),
            Rule::new(
                &["("],
                &format!(r"(?:{distinct}|(?:^|[^a-z0-9_$.>-])(?:{families})){gap}\("),
                "php code-execution call",
            ),
            // `system(ls)`, `exec/**/(id)`: a bare constant as argument. With only spaces
            // between name and `(` it must end like a statement, since prose writes
            // `npm exec (npx)`.
            Rule::new(
                &["("],
                &format!(
                    r"(?:^|[^a-z0-9_>.\-])@?(?:{funcs})(?:(?:{cgap})?\({gap}(?:[a-z_]+{gap}\)|\))|\s+\(\s*(?:[a-z_]+\s*)?\)\s*(?:;|\?>|$))"
                ),
                "php code-execution call",
            ),
            // A computed callable called and ended like a statement: `(sy.(st).em)('uname');`,
            // `[system][0](ls);`, `"system"(ls);`, `(x)/* c */('uname');`.
            Rule::new(
                &[";"],
                &format!(
                    r#"(?:[\])}}]|["'][a-z0-9_\\]*["']){gap}\(\s*(?:['"$][^()]*|[a-z0-9_ ./*]*)\)\s*;"#
                ),
                "php dynamic call",
            ),
            Rule::new(
                &["$"],
                &format!(r"\$+\{{?[a-z_][a-z0-9_]*\}}?(?:{gap}\[[^\]]+\])*{gap}\("),
                "php variable function call",
            ),
            Rule::new(
                &["="],
                r"^\s*(?:allow_url_(?:include|fopen)|auto_(?:prepend|append)_file|disable_functions|disable_classes|open_basedir|safe_mode\w*|engine|extension|zend_extension|register_globals|include_path|error_log|memory_limit|max_execution_time|max_input_(?:time|vars)|upload_max_filesize|post_max_size|display_(?:startup_)?errors|error_reporting|log_errors|short_open_tag|expose_php|file_uploads|unserialize_max_depth|serialize_precision|output_buffering|user_ini\.[a-z_]+|(?:opcache|session|mbstring|pcre|phar|assert|zend|xdebug|mail)\.[a-z_]+)\s*=",
                "php.ini directive",
            ),
            Rule::new(
                &["("],
                &format!(
                    r"(?:^|[^a-z0-9_>.\-])@?(?:{funcs})\s*\(\s*(?:['`$(\x22]|[a-z_]+\s*\(|\d+\s*\)|\))"
                ),
                "php code-execution call",
            ),
            Rule::new(
                &["("],
                &format!(r#"\(\s*['\x22]?\s*(?:{funcs})\s*['\x22]?\s*\)\s*\("#),
                "php variable function call",
            ),
            Rule::new(
                &["$_", "$globals", "$http_"],
                r"\$(?:_(?:get|post|request|cookie|server|files|env|session)\b|globals\b|http_\w+_vars)",
                "php superglobal",
            ),
            Rule::new(
                &["o:", "a:", "c:"],
                r#"(?:^|[^a-z])(?:o|c):\+?\d+:\x22[a-z_\\][a-z0-9_\\]*\x22:\d+:\{|^a:\d+:\{(?:[sid]:\d+)"#,
                "serialized php object",
            ),
            Rule::new(
                &["://"],
                r"\b(?:php|phar|zip|zlib|compress\.zlib|compress\.bzip2|data|expect|glob|ssh2\.\w+|rar|ogg)://",
                "php stream wrapper",
            ),
            // `data:text/plain;base64,…` handed to `include`/`file_get_contents`: PHP reads
            // the wrapper without `//` too. Images and fonts are what data URLs carry in forms.
            Rule::new(
                &["data:"],
                r"^\s*data:(?:text/(?:plain|x-php|php)|application/(?:x-)?(?:httpd-)?php)\s*(?:[;,]|$)",
                "php data wrapper",
            ),
            Rule::new(
                &["${", "$ {", "{$"],
                r"\$\s*\{\s*(?:@|['\x22]|_|\$|\w+\s*\()",
                "php variable variable",
            ),
        ];
        Php {
            rules,
            short_tag: lit("<?"),
        }
    }
}

/// The lower-cased uploaded file name: the shared upload points, plus header spellings with
/// a dot (`X.Filename`) that some proxies pass through.
fn upload_name(leaf: &Leaf) -> Option<&str> {
    super::upload::filename(leaf).or_else(|| {
        let h = leaf.header.as_deref()?;
        matches!(h, "X.FILENAME" | "X.FILE-NAME" | "X.FILE.NAME").then_some(leaf.lower.as_str())
    })
}

/// `a.php`, `a.php5...`, `x.php907`, `t.phpt`: an extension PHP handlers run (any `php`
/// followed by digits, as `AddHandler` patterns accept), Windows dropping trailing dots.
fn php_extension(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.split('.').skip(1).any(|p| {
        let p = p.trim_matches([' ', '\t', '\0']);
        let digits = p
            .strip_prefix("php")
            .is_some_and(|d| d.bytes().all(|c| c.is_ascii_digit()));
        digits || matches!(p, "phtml" | "phar" | "pht" | "phps" | "phpt" | "pgif")
    })
}

/// `sess_<id>`: the file PHP keeps a session in; uploading one plants session data.
fn session_file(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.strip_prefix("sess_").is_some_and(|id| {
        id.len() >= 16
            && id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b',')
    })
}

/// `<?system($c)?>`, `<?=$x`, `<? $a(…)`: an open tag whose first statement is a call or a
/// variable. XML declarations and processing instructions (`<?xml version=…`) start with a
/// target name and pseudo-attributes instead.
fn short_tag_code(s: &str) -> Option<usize> {
    for (tries, (p, _)) in s.match_indices("<?").enumerate() {
        if tries == 8 {
            break;
        }
        let body = s[p + 2..]
            .strip_prefix('=')
            .unwrap_or(&s[p + 2..])
            .trim_start();
        let b = body.as_bytes();
        if b.first() == Some(&b'$')
            && b.get(1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            return Some(p);
        }
        let name = b
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        if name > 0 && body[name..].trim_start().starts_with('(') {
            return Some(p);
        }
    }
    None
}

impl Detector for Php {
    fn attack(&self) -> AttackType {
        AttackType::PhpInjection
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        if let Some(name) = upload_name(leaf) {
            let reason = if php_extension(name) {
                Some("php file upload")
            } else if session_file(name) {
                Some("php session file upload")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Some(Finding {
                    at: 0..leaf.lower.len(),
                    reason,
                });
            }
        }
        if present.has(self.short_tag) {
            if let Some(p) = short_tag_code(&leaf.lower) {
                return Some(Finding {
                    at: p..leaf.lower.len().min(p + 64),
                    reason: "php opening tag",
                });
            }
        }
        first(&self.rules, &leaf.lower, present).map(|(a, b, reason)| Finding { at: a..b, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(v: &str) -> bool {
        crate::detect::check_one(&Php::new(), v).is_some()
    }

    #[test]
    fn finds_php_injection() {
        for v in [
            "<?php system($_GET['c']); ?>",
            "O:8:\"stdClass\":1:{s:1:\"a\";i:2;}",
            "php://filter/convert.base64-encode/resource=index.php",
            "(system)(ls);",
            "eval(base64_decode('ZWNobyAx'))",
            "$_SERVER['test'];",
            "FOOcall_user_func()",
            "exec #comment\n (blah)",
            "(sy.(st).em)('uname');",
            "[system][0](ls);",
            "$a(1)",
            "@$__[o](4)",
            "[php]echo 'test';[/php]",
            "allow_url_include=on",
            "<?passthru($_GET[c])?>",
            "<?= $cmd ?>",
            "<? php echo 1",
            "curl_exec ($ch)",
            "get_defined_vars ()",
            "pg_query($db, $q)",
            "openssl_decrypt($a)",
            "$f/* x */('id')",
            "$x[0] /**/ ()",
            "(' system ')('id')",
            "${$name}",
            "$ { $name }",
            "memory_limit = -1",
            "display_errors=On",
            "data:text/plain;base64,PD9waHA=",
            "data:application/x-httpd-php,<?php",
            "system (id);",
            "exec/**/(ls)",
        ] {
            assert!(hit(v), "{v}");
        }
    }

    #[test]
    fn ignores_ordinary_text() {
        for v in [
            "the system (as designed) works",
            "include a note",
            "https://example.com/a.php?x=1",
            "price: $5",
            "a:b:c",
            "see the system (as designed) in chapter 3",
            "costs $5 (approx.)",
            "jQuery $(document).ready(fn);",
            "call me (maybe); ok",
            "engine: v8",
            "npm exec (npx) programmatic API",
            "the system (beta) ships soon",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>",
            "<?xml-stylesheet type=\"text/xsl\" href=\"s.xsl\"?>",
            "<?xb echo 1;",
            "$a[]()",
            "${name}",
            "data:image/png;base64,iVBORw0KGgo=",
            "memory limit = 512M",
            "numpy.array_split(a, 3)",
        ] {
            assert!(!hit(v), "{v}");
        }
    }

    #[test]
    fn upload_names() {
        for n in [
            "a.php",
            "x.php5...",
            "d/x.php907..",
            "t.phpt",
            "s.phps",
            "b.phtml ",
        ] {
            assert!(php_extension(n), "{n}");
        }
        for n in ["a.phpx", "php.jpg", "notes.txt", "a.pdf"] {
            assert!(!php_extension(n), "{n}");
        }
        assert!(session_file(
            "/var/lib/php/sessions/sess_9f8e7d6c5b4a39281726"
        ));
        assert!(!session_file("sess_notes.txt"));
        assert!(!session_file("session_2024.csv"));
    }
}
