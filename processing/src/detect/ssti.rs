//! Server-side template injection: template delimiters around an expression rather than a
//! plain name (`{{7*7}}`, `{{''.__class__}}`, `${7*7}`, `<%= … %>`, `#{…}`, `{% … %}`), and
//! Python object-model walks used to escape sandboxes.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Ssti,
        rules: vec![
            Rule::new(
                &["{{"],
                r"\{\{[^}]{0,200}(?:[*+/%()\[\]|]|__|\.\w+\s*\(|config|self|request|range|lipsum|cycler|joiner|namespace)[^}]{0,200}\}\}",
                "template expression",
            ),
            Rule::new(
                &["{%"],
                r"\{%-?\s*(?:import|include|set|for|if|macro|call|raw|extends|debug|load|print)\b[^%]{0,200}%\}",
                "template statement",
            ),
            Rule::new(
                &["<%"],
                r"<%[=#-]?\s*[^%]{0,200}(?:\(|\.|system|exec|eval|runtime)[^%]{0,200}%>",
                "erb/jsp expression",
            ),
            Rule::new(
                &["${", "#{", "*{", "@{", "~{"],
                r"[$#*@~]\{\s*\d+\s*[*+/-]\s*\d+\s*\}|[#*]\{[^}]{0,200}(?:\.exec|runtime|\bt\(|new\s+java|getclass|\.forname)",
                "template arithmetic or call",
            ),
            Rule::new(
                &["__"],
                r"__(?:class|mro|subclasses|globals|builtins|init|import|base|bases|getattribute|reduce)__",
                "python object-model walk",
            ),
            Rule::new(
                &["{php}", "{system", "{$smarty", "{{=", "{#"],
                r"\{php\}|\{system\s|\{\$smarty\.|\{\{=[^}]*\}\}",
                "template engine tag",
            ),
        ],
        applies: any_leaf,
    }
}
