//! PHP injection: opening tags, calls of code-execution functions, superglobals, serialized
//! objects (`O:8:"stdClass":…`) and stream wrappers that turn file access into code execution.

use super::prefilter::LitSet;
use super::rules::{first, Rule};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

pub struct Php {
    rules: Vec<Rule>,
}

impl Php {
    pub fn new() -> Self {
        // Names unlikely anywhere but PHP code: called with any argument, even glued to other
        // text (`FOOcall_user_func()`).
        let distinct = "shell_exec|proc_open|pcntl_exec|base64_decode|gzinflate|gzuncompress|gzdecode|bzdecompress|str_rot13|file_get_contents|file_put_contents|create_function|call_user_func(?:_array)?|preg_replace|phpinfo|highlight_file|show_source|move_uploaded_file|fsockopen|pfsockopen|curl_exec|hex2bin|convert_uu|escapeshellcmd|escapeshellarg|get_defined_vars|gethostbyname";
        // PHP extension families and plainer names: only as a whole word.
        let families = "array_diff\\w*|date_add|checkdate|posix_\\w+|apache_\\w+|mb_ereg\\w*";
        // Between a function name and its `(`, PHP allows whitespace and comments.
        let gap = r"(?:\s|/\*[^*]*\*/|(?:#|//)[^\n]*\n)*";
        let funcs = "system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert|base64_decode|gzinflate|gzuncompress|str_rot13|file_get_contents|file_put_contents|fopen|fwrite|readfile|include|include_once|require|require_once|create_function|call_user_func|call_user_func_array|preg_replace|phpinfo|highlight_file|show_source|unserialize|move_uploaded_file|chr|ord|fsockopen|curl_exec|mail|putenv|ini_set|set_time_limit|array_map|usort|uasort|array_filter|var_dump|print_r|die|md5|sha1|hex2bin|convert_uu|parse_str|extract|escapeshellcmd|symlink|chmod|unlink|posix_\\w+|apache_\\w+|get_defined_vars|getenv|glob|scandir|opendir|dl";
        let rules = vec![
            Rule::new(
                &["<?", "php]", "php}"],
                r"<\?(?:php|=|\s*$|\s+(?:echo|print|system|eval|exec|passthru|include|require|\$))|[\[{]\\?/?php[\]}]",
                "php opening tag",
            ),
            Rule::new(
                &["("],
                &format!(r"(?:{distinct}|(?:^|[^a-z0-9_$.>-])(?:{families})){gap}\("),
                "php code-execution call",
            ),
            Rule::new(
                &["("],
                &format!(r"(?:^|[^a-z0-9_>.\-])@?(?:{funcs}){gap}\({gap}(?:[a-z_]+{gap}\)|\))"),
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
                r"\$+\{?[a-z_][a-z0-9_]*\}?(?:\s*\[[^\]]*\])*\s*\(",
                "php variable function call",
            ),
            Rule::new(
                &["="],
                r"^\s*(?:allow_url_(?:include|fopen)|auto_(?:prepend|append)_file|disable_functions|disable_classes|open_basedir|safe_mode\w*|engine|extension|zend_extension|register_globals|include_path|error_log|(?:opcache|session|mbstring|pcre|phar|assert|zend|xdebug|mail)\.[a-z_]+)\s*=",
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
                &format!(r#"\(\s*['\x22]?(?:{funcs})['\x22]?\s*\)\s*\("#),
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
            Rule::new(
                &["${", "$ {"],
                r"\$\s*\{\s*(?:@|['\x22]|_|\w+\s*\()",
                "php variable variable",
            ),
        ];
        Php { rules }
    }
}

impl Detector for Php {
    fn attack(&self) -> AttackType {
        AttackType::PhpInjection
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        if let Some(name) = super::upload::filename(leaf) {
            let exts = &[
                "php", "php3", "php4", "php5", "php7", "php8", "phtml", "phar", "pht", "phps",
            ];
            if super::upload::has_extension(name, exts) {
                return Some(Finding {
                    at: 0..leaf.lower.len(),
                    reason: "php file upload",
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
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
