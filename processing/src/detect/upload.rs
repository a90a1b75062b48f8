//! Uploaded file names: the multipart `filename` and the upload headers some frameworks use
//! (`X-Filename`, `X-File-Name`). A server-side script extension anywhere among the dotted
//! parts counts: Apache runs `shell.php.jpg` as PHP, and trailing dots or spaces are dropped by
//! Windows file APIs (`a.php..`, `photo. php`).

use crate::point::Leaf;

const HEADERS: &[&str] = &["X-FILENAME", "X-FILE-NAME", "X-UPLOAD-FILENAME", "X-FILE"];

/// The lower-cased file name when `leaf` holds one.
pub fn filename(leaf: &Leaf) -> Option<&str> {
    let named = leaf.point.has_name("file_name")
        || leaf
            .header
            .as_deref()
            .is_some_and(|h| HEADERS.contains(&h.replace('_', "-").as_str()));
    named.then_some(leaf.lower.as_str())
}

/// True when one of the dotted extensions of `name` (trimmed of spaces, tabs and NULs) is in
/// `exts`. The first part is the stem and never counts.
pub fn has_extension(name: &str, exts: &[&str]) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.split('.')
        .skip(1)
        .map(|p| p.trim_matches([' ', '\t', '\0']))
        .any(|p| exts.contains(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_survive_padding_and_double_extensions() {
        let php = &["php", "phtml"];
        for n in [
            "a.php",
            "a.php..",
            "photo. php",
            "test. php.jpg",
            "dir/x.phtml  ",
        ] {
            assert!(has_extension(n, php), "{n}");
        }
        for n in ["php.jpg", "report.pdf", "a.phpx", "notes.txt"] {
            assert!(!has_extension(n, php), "{n}");
        }
    }
}
