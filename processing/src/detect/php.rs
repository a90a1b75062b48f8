//! PHP injection: opening tags, calls of code-execution functions, superglobals, serialized
//! objects (`O:8:"stdClass":…`) and stream wrappers that turn file access into code execution.

use super::rules::{first, Rule};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

pub struct Php {
    rules: Vec<Rule>,
}

impl Php {
    pub fn new() -> Self {
        let funcs = "system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert|base64_decode|gzinflate|gzuncompress|str_rot13|file_get_contents|file_put_contents|fopen|fwrite|readfile|include|include_once|require|require_once|create_function|call_user_func|call_user_func_array|preg_replace|phpinfo|highlight_file|show_source|unserialize|move_uploaded_file|chr|ord|fsockopen|curl_exec|mail|putenv|ini_set|set_time_limit|array_map|usort|uasort|array_filter|var_dump|print_r|die|md5|sha1|hex2bin|convert_uu|parse_str|extract|escapeshellcmd|symlink|chmod|unlink|posix_\\w+|apache_\\w+|get_defined_vars|getenv|glob|scandir|opendir|dl";
        let rules = vec![
            Rule::new(&["<?"], r"<\?(?:php|=|\s)", "php opening tag"),
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

    fn check(&self, leaf: &Leaf) -> Option<Finding> {
        first(&self.rules, &leaf.lower).map(|(a, b, reason)| Finding { at: a..b, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{Place, Point};

    fn hit(v: &str) -> bool {
        Php::new()
            .check(&Leaf::new(Point::name("get"), Place::Query, v.to_owned()))
            .is_some()
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
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
