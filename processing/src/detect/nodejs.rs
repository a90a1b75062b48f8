//! Server-side JavaScript (Node.js) injection: module loading, process access, constructor
//! escapes, serialized functions and CPU-burning loops.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::NodejsInjection,
        rules: vec![
            Rule::new(
                &["require", "import"],
                r#"(?:require|import)\s*\(\s*['"`](?:child_process|fs|net|vm|os|http|dgram|cluster|process)['"`]"#,
                "node module load",
            ),
            Rule::new(
                &["child_process", "process", "require", "module"],
                r#"child_process|process\s*(?:\.\s*|\[\s*['"`])(?:mainmodule|binding|env|exit|kill|dlopen|stdout|cwd)|require\s*\.\s*main\b|module\s*\.\s*exports\s*="#,
                "node process access",
            ),
            Rule::new(
                &["constructor"],
                r"constructor\s*(?:\.\s*constructor|\(\s*['`\x22]return)",
                "constructor escape",
            ),
            Rule::new(
                &["_$$nd_func$$_", "function"],
                r"_\$\$nd_func\$\$_|\bnew\s+function\s*\(|function\s*\(\s*\)\s*\{[^}]*\}\s*\(",
                "serialized or immediately-invoked function",
            ),
            Rule::new(
                &["while", "for"],
                r#"\bwhile\s*\(\s*(?:true|1|!\s*(?:false|[-+]?0|""|''|``|\[\]))\s*\)|\bfor\s*\(\s*;\s*;\s*\)"#,
                "endless loop",
            ),
            Rule::new(
                &["eval", "settimeout", "setinterval"],
                r"\b(?:eval|settimeout|setinterval|function)\s*\(\s*(?:atob|buffer|string\.fromcharcode|unescape)",
                "decoded code evaluation",
            ),
        ],
        applies: any_leaf,
    }
}
