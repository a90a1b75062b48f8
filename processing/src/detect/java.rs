//! Java injection: Log4Shell lookups (with the `${lower:j}`/`${::-j}` obfuscations folded
//! away), OGNL/SpEL expressions, and deserialization gadget or reflection class names — also
//! when they appear base64-encoded at any of the three byte alignments, as in a serialized
//! object carried in a cookie or form field.

use ::base64::engine::general_purpose::STANDARD;
use ::base64::Engine as _;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

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
];

pub struct Java {
    classes: AhoCorasick,
    b64: AhoCorasick,
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
            let keep = (total / 3) * 4;
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
            .chain(["rO0AB".to_owned()])
            .collect();
        let b64 = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&frags)
            .expect("generated pattern list builds");
        Java { classes, b64 }
    }
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

    fn check(&self, leaf: &Leaf) -> Option<Finding> {
        let s = leaf.lower.as_str();
        if let Some(p) = s.find("${") {
            let folded = fold_lookups(&s[p..]);
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
        if s.contains("%{") && (s.contains('#') || s.contains('@'))
            || s.contains("${#")
            || s.contains("#{t(")
            || s.contains("t(java")
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
        if let Some(m) = self.classes.find(s) {
            return Some(Finding {
                at: m.start()..m.end(),
                reason: "java class or gadget name",
            });
        }
        if leaf.value.len() >= 8 {
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
    use crate::point::{Place, Point};

    fn hit(v: &str) -> bool {
        Java::new()
            .check(&Leaf::new(Point::name("get"), Place::Query, v.to_owned()))
            .is_some()
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
        ] {
            assert!(hit(v), "{v}");
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
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
