//! Java injection: Log4Shell lookups (with the `${lower:j}`/`${::-j}` obfuscations folded
//! away), OGNL/SpEL expressions, and deserialization gadget or reflection class names — also
//! when they appear base64-encoded at any of the three byte alignments, as in a serialized
//! object carried in a cookie or form field.

use ::base64::engine::general_purpose::STANDARD;
use ::base64::Engine as _;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::prefilter::{lit, lit_owned, lits, LitId, LitSet, Lits};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

const CLASSES: &[&str] = &[
    "java.lang.runtime",
    "java.lang.processbuilder",
    "java.lang.system",
    "java.lang.class",
    "java.lang.reflect",
    "java.lang.thread",
    "java.io.",
    "java.net.",
    "java.nio.",
    "java.util.",
    "java.beans.",
    "java.rmi.",
    "javax.",
    "runtime.getruntime",
    "getruntime(",
    "processbuilder",
    "classloader",
    "invokertransformer",
    "instantiatefactory",
    "instantiatetransformer",
    "clonefactory",
    "prototypeclonefactory",
    "prototypeserializationfactory",
    "chainedtransformer",
    "constanttransformer",
    "templatesimpl",
    "transformedmap",
    "lazymap",
    "annotationinvocationhandler",
    "badattributevalueexpexception",
    "bsh.interpreter",
    "groovy.util.expando",
    "xalan.",
    "jndilookup",
    "objectinputstream",
    "objectoutputstream",
    "outputstream",
    "inputstream",
    "getclass(",
    "forname(",
    ".getmethod(",
    ".invoke(",
    "newinstance(",
    "#_memberaccess",
    "@java.lang",
    "ognlcontext",
    "xwork.",
    "class.module.classloader",
    "#context[",
    "com.sun.",
    "org.apache.commons.collections",
    "sun.misc.",
    "getdeclaredmethod",
    "clonetransformer",
    "forclosure",
    "whileclosure",
    // Any JDK or well-known library class named in a parameter: JSON type hints
    // (`"@type":"java.lang.Class"`) and expression languages name them; forms do not.
    "java.lang.",
    "org.omg.",
    "org.apache.commons",
    "xwork2",
    "opensymphony",
    "xmlapplicationcontext",
    "scriptenginemanager",
    "javax.script",
    "jdbcrowsetimpl",
    "c3p0.",
    "commons.beanutils",
    "beancomparator",
];

/// Gadget names worth searching in base64 form (case matters there, so original spellings).
const B64_NAMES: &[&str] = &[
    "ProcessBuilder",
    "Runtime",
    "getRuntime",
    "InvokerTransformer",
    "InstantiateFactory",
    "InstantiateTransformer",
    "PrototypeCloneFactory",
    "CloneFactory",
    "ChainedTransformer",
    "ConstantTransformer",
    "TemplatesImpl",
    "java.lang",
    "java.io",
    "ClassLoader",
    "instantiatefactory",
    "instantiatetransformer",
    "prototypeclonefactory",
    "invokertransformer",
    "processbuilder",
    "clonefactory",
    "classloader",
    "runtime",
    "javax",
    "ForClosure",
    "WhileClosure",
    "CloneTransformer",
    "PrototypeSerializationFactory",
    "forclosure",
    "whileclosure",
    "clonetransformer",
    "prototypeserializationfactory",
];

/// Literals at least one of which every [`CLASSES`] entry contains: one prefilter test per
/// literal costs, so the gate names what the classes share instead of each class.
const CLASS_COVER: &[&str] = &[
    "java",
    "runtime",
    "processbuilder",
    "classloader",
    "transformer",
    "factory",
    "templatesimpl",
    "lazymap",
    "transformedmap",
    "invocationhandler",
    "expexception",
    "bsh.",
    "groovy.",
    "xalan.",
    "jndi",
    "stream",
    "getclass(",
    "forname(",
    ".getmethod(",
    ".invoke(",
    "newinstance(",
    "memberaccess",
    "ognl",
    "xwork",
    "com.sun.",
    "org.apache.commons",
    "sun.misc.",
    "getdeclaredmethod",
    "closure",
    "org.omg.",
    "opensymphony",
    "applicationcontext",
    "scriptengine",
    "rowsetimpl",
    "c3p0.",
    "beanutils",
    "beancomparator",
    "#context[",
];

/// Serialized-object magic `AC ED 00 05` as the text decoder leaves raw bytes: both magic
/// bytes are invalid UTF-8 on their own and become replacement characters.
const RAW_MAGIC: &str = "\u{fffd}\u{fffd}\u{0}\u{5}";

/// Serialized-object magic `AC ED 00 05` in base64, at each of the three alignments: the
/// stable characters only (the third one assumes the usual `TC_OBJECT`/`TC_ARRAY` next byte).
const B64_MAGIC: &[&str] = &["rO0AB", "s7QAF", "ztAAV", "ztAAU"];

/// `java.Runtime`, `java.evil.runtime`, `javax.foo.ProcessBuilder`: a package path ending in a
/// class that runs code, however the package in between is spelled.
const PACKAGE_RUNTIME: &str =
    r"\bjavax?(?:\.[a-z0-9_$]+)*\.(?:runtime|processbuilder|classloader|scriptengine\w*)\b";

pub struct Java {
    package: regex::bytes::Regex,
    package_gate: Lits,
    magic_gate: Lits,
    classes: AhoCorasick,
    b64: AhoCorasick,
    /// Prefilter gates: the class names, and the lower-cased base64 fragments (a fragment in
    /// the value implies its lower-cased form in `leaf.lower`).
    class_gate: Lits,
    b64_gate: Lits,
    lookup_gate: LitId,
    raw_magic: LitId,
    jsp_gate: Lits,
    /// `%{` (with a `#` or `@` somewhere), `${#`, `#{t(`, `t(java`.
    expr_gate: Lits,
}

/// Base64 fragments that appear whatever the alignment of `name` in the encoded stream.
fn b64_fragments(name: &str) -> Vec<String> {
    (0..3)
        .filter_map(|shift| {
            let mut raw = vec![b'\0'; shift];
            raw.extend_from_slice(name.as_bytes());
            let enc = STANDARD.encode(&raw);
            // Drop characters that depend on neighbouring bytes: the first ceil(shift*4/3)
            // and the last group's partial characters.
            let skip = match shift {
                0 => 0,
                1 => 2,
                _ => 3,
            };
            let total = shift + name.len();
            // Full groups, plus the characters of a partial last group that depend only on
            // bytes of `name` (one for one trailing byte, two for two).
            let keep = (total / 3) * 4 + total % 3;
            let frag = enc.get(skip..keep)?.to_owned();
            (frag.len() >= 8).then_some(frag)
        })
        .collect()
}

impl Java {
    pub fn new() -> Self {
        let classes = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(CLASSES)
            .expect("static pattern list builds");
        let frags: Vec<String> = B64_NAMES
            .iter()
            .flat_map(|n| b64_fragments(n))
            .chain(B64_MAGIC.iter().map(|m| (*m).to_owned()))
            .collect();
        let b64 = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&frags)
            .expect("generated pattern list builds");
        Java {
            package: regex::bytes::Regex::new(&format!("(?-u){PACKAGE_RUNTIME}"))
                .expect("static pattern compiles"),
            package_gate: lits(&["java"]),
            magic_gate: B64_MAGIC
                .iter()
                .map(|m| lit_owned(&m.to_ascii_lowercase()))
                .collect(),
            classes,
            b64,
            class_gate: lits(CLASS_COVER),
            raw_magic: lit(RAW_MAGIC),
            jsp_gate: lits(&["jsp", "jsw", "jsv"]),
            b64_gate: frags
                .iter()
                .map(|f| lit_owned(&f.to_ascii_lowercase()))
                .collect(),
            lookup_gate: lit("${"),
            expr_gate: lits(&["%{", "${#", "#{t(", "t(java"]),
        }
    }
}

/// An uploaded JSP page (see [`super::upload`]).
fn jsp_upload(leaf: &Leaf) -> Option<std::ops::Range<usize>> {
    let name = super::upload::filename(leaf)?;
    super::upload::has_extension(name, &["jsp", "jspx", "jspf", "jsw", "jsv"])
        .then_some(0..leaf.lower.len())
}

/// `${${lower:j}${::-n}di:…}` → `${jndi:…}`: drops lookup wrappers that only yield letters.
fn fold_lookups(lower: &str) -> String {
    let mut s = lower.to_owned();
    for _ in 0..8 {
        let before = s.len();
        for prefix in [
            "${lower:",
            "${upper:",
            "${::-",
            "${env:nothing:-",
            "${date:'",
            "${sys:nothing:-",
        ] {
            while let Some(p) = s.find(prefix) {
                let inner_start = p + prefix.len();
                let Some(close) = s[inner_start..].find('}') else {
                    break;
                };
                let inner = s[inner_start..inner_start + close]
                    .trim_end_matches('\'')
                    .to_owned();
                s.replace_range(p..inner_start + close + 1, &inner);
            }
        }
        // `${anything:-x}` is its default `x` whenever `anything` does not resolve:
        // `${::-j}`, `${env:NOPE:-j}`, `${:1337:-x$}{jndi:…}`.
        let mut from = 0;
        while let Some(q) = s[from..].find("${").map(|q| from + q) {
            let body = &s[q + 2..];
            let close = body.find(['}', '{']);
            let dash = body.find(":-");
            match (close, dash) {
                (Some(c), Some(d)) if d < c && body.as_bytes()[c] == b'}' => {
                    let default = body[d + 2..c].to_owned();
                    s.replace_range(q..q + 2 + c + 1, &default);
                    from = q + default.len();
                }
                _ => from = q + 2,
            }
        }
        if s.len() == before {
            break;
        }
    }
    s
}

impl Detector for Java {
    fn attack(&self) -> AttackType {
        AttackType::JavaInjection
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        let s = leaf.lower.as_str();
        // Literal searches only where the prefilter saw the literal: each `find` costs a
        // searcher set-up and a pass over the value.
        if let Some(p) = present
            .has(self.lookup_gate)
            .then(|| s.find("${"))
            .flatten()
        {
            // A lookup chain longer than this is not needed to spell `${jndi:`; the bound keeps
            // thousands of nested wrappers from costing quadratic time.
            let mut cut = s.len().min(p + 2048);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            let folded = fold_lookups(&s[p..cut]);
            if [
                "${jndi:",
                "${ctx:",
                "${env:",
                "${sys:",
                "${java:",
                "${main:",
                "${base64:",
                "${web:",
                "${spring:",
                "${k8s:",
                "${docker:",
            ]
            .iter()
            .any(|k| folded.contains(k))
            {
                return Some(Finding {
                    at: p..s.len().min(p + 96),
                    reason: "log4j lookup",
                });
            }
        }
        if present.any(&self.expr_gate)
            && (present.has(self.expr_gate[0]) && (s.contains('#') || s.contains('@'))
                || present.any(&self.expr_gate[1..]))
        {
            let p = s
                .find("%{")
                .or_else(|| s.find("${#"))
                .or_else(|| s.find("#{"))
                .or_else(|| s.find("t("))
                .unwrap_or(0);
            return Some(Finding {
                at: p..s.len().min(p + 96),
                reason: "ognl/spel expression",
            });
        }
        // The shortest class name has five bytes.
        if s.len() >= 5 && present.any(&self.class_gate) {
            if let Some(m) = self.classes.find(s) {
                return Some(Finding {
                    at: m.start()..m.end(),
                    reason: "java class or gadget name",
                });
            }
        }
        if present.any(&self.package_gate) {
            if let Some(m) = self.package.find(s.as_bytes()) {
                return Some(Finding {
                    at: m.start()..m.end(),
                    reason: "java code-running class",
                });
            }
        }
        if let Some(at) = present
            .any(&self.jsp_gate)
            .then(|| jsp_upload(leaf))
            .flatten()
        {
            return Some(Finding {
                at,
                reason: "jsp file upload",
            });
        }
        if present.has(self.raw_magic) {
            if let Some(p) = s.find(RAW_MAGIC) {
                return Some(Finding {
                    at: p..s.len().min(p + 32),
                    reason: "serialized java object",
                });
            }
        }
        // The magic is short, so it is searched in short values too. Every fragment has an
        // upper-case letter (see the tests), so a value without one (most values, which are
        // their own lower-case form) skips the gate's many literals.
        let long_enough = leaf.value.len() >= 8 || present.any(&self.magic_gate);
        if long_enough && leaf.value != leaf.lower && present.any(&self.b64_gate) {
            if let Some(m) = self.b64.find(&leaf.value) {
                return Some(Finding {
                    at: m.start()..m.end(),
                    reason: "base64 java gadget name",
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(v: &str) -> bool {
        crate::detect::check_one(&Java::new(), v).is_some()
    }

    #[test]
    fn finds_java_injection() {
        for v in [
            "${jndi:ldap://x/a}",
            "${${lower:j}${::-n}di:ldap://x}",
            "java.lang.Runtime",
            "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS)}",
            "rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ",
            "Gluc3RhbnRpYXRlZmFjdG9yeQ",
            "rO0ABQ",
            "dGVzdD2s7QAF",
            "java.evil.Runtime",
            "runtime.clonetransformer",
            "com.opensymphony.xwork2",
            "${:42:-x$}{jndi:dns://x/a}",
            "${${env:NOPE:-j}ndi${any:-:}ldap://x/a}",
            // A raw serialized stream, as the text decoder leaves its magic bytes.
            "test=\u{fffd}\u{fffd}\u{0}\u{5}sr\u{0}",
        ] {
            assert!(hit(v), "{v}");
        }
    }

    #[test]
    fn gates_cover_what_they_guard() {
        for c in CLASSES {
            assert!(CLASS_COVER.iter().any(|g| c.contains(g)), "{c}");
        }
        for n in B64_NAMES {
            for f in b64_fragments(n) {
                assert!(f.bytes().any(|c| c.is_ascii_uppercase()), "{n}: {f}");
            }
        }
        for m in B64_MAGIC {
            assert!(m.bytes().any(|c| c.is_ascii_uppercase()), "{m}");
        }
    }

    #[test]
    fn ignores_ordinary_values() {
        for v in [
            "Java developer",
            "javascript is fun",
            "${HOME}",
            "price ${amount}",
            "eyJhbGciOiJIUzI1NiJ9",
            "javadoc.runtime.html",
            "My java runtime is 17",
            "org.example.Application",
            "${name:-guest}",
            "${HOME:-/tmp}/x",
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
