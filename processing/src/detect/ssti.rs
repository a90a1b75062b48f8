//! Server-side template injection: template delimiters around an expression rather than a
//! plain name (`{{7*7}}`, `{{''.__class__}}`, `${7*7}`, `<%= 7*7 %>`, `#{…}`, `{% … %}`),
//! control statements and directives of ERB, Velocity and FreeMarker, and Python object-model
//! walks used to escape sandboxes (a chain of dunders, not a lone `__init__`).

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::Ssti,
        rules: vec![
            Rule::new(
                &["{{"],
                // A call, an index, a dunder, a sandbox-escape global, `|attr` or arithmetic on
                // literals (`{{7*'7'}}`); a plain filter or sum of names (`{{ total | money }}`,
                // `{{ price * qty }}`) is what template editors save every day.
                r#"\{\{[^}]{0,200}(?:[()\[\]]|__|\.\w+\s*\(|\|\s*attr\b|\b(?:config|self|request|range|lipsum|cycler|joiner|namespace)\b|['"]?\d+['"]?\s*[*+/%-]\s*['"]?\d)[^}]{0,200}\}\}"#,
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
            // Control flow inside ERB/EJS/ASP-style tags: only a template engine gives
            // `<% if … %>` a meaning.
            Rule::new(
                &["<%"],
                r"<%[=-]?\s*(?:if|elsif|elseif|unless|for|foreach|while|each|end|endif|endfor|endwhile)\b[^%]{0,200}%>",
                "template statement",
            ),
            // Arithmetic between expression delimiters of any engine (`${7*7}`, `%{7*7}`,
            // `<%= 7*7 %>`, `@(7*7)`, `${7*'7'}`): the classic probe whose result shows the
            // template was evaluated.
            Rule::new(
                &["${", "#{", "*{", "@{", "~{", "%{", "<%", "@("],
                r#"(?:[$#*@~%]\{|<%=?|@\()\s*['"]?\d+['"]?\s*[*+/-]\s*['"]?\d+['"]?\s*(?:\}|%>|\))|[#*]\{[^}]{0,200}(?:\.exec|runtime|\bt\(|new\s+java|getclass|\.forname)"#,
                "template arithmetic or call",
            ),
            // Dunder names are everyday Python (`def __init__`, `Exception.__init__(self)`,
            // `self.__class__.__name__`); a sandbox escape walks from one object to the
            // interpreter: through the class graph or a function's globals, or an import by
            // name.
            Rule::new(
                &["__"],
                r#"__(?:class|base|bases|mro|init|func|self)__\s*(?:\.|\[\s*['"]?|\|\s*attr\s*\(\s*['"])\s*__(?:base|bases|mro|subclasses|globals|builtins|dict|getattribute|code|closure)__|__(?:subclasses|globals|builtins)__\s*(?:\(|\[|\.\s*[a-z_])|__import__\s*\(\s*['"][a-z_][a-z0-9_.]*['"]\s*\)\s*\.\s*[a-z_]"#,
                "python object-model walk",
            ),
            // Velocity and FreeMarker directives that assign or instantiate.
            Rule::new(
                &["#set", "#evaluate", "<#", "?new"],
                r#"#set\s*\(\s*\$[a-z_]\w*\s*=|#evaluate\s*\(|<#assign\b|\?new\s*\(\s*\)"#,
                "template directive",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(v: &str) -> bool {
        crate::detect::check_one(&detector(), v).is_some()
    }

    #[test]
    fn finds_template_injection() {
        for v in [
            "{{7*'7'}}",
            "{{ 7 * 7 }}",
            "{{ x | attr('__class__') }}",
            "{{ config }}",
            "{{ self._TemplateReference__context }}",
            "{% for x in ().__class__.__base__.__subclasses__() %}{{x}}{% endfor %}",
            "().__class__.__bases__[0].__subclasses__()",
            "request.__class__['__mro__']",
            "lipsum.__globals__.os.popen('id')",
            "x.__init__.__globals__['sys']",
            "__import__('subprocess').check_output('id')",
            "<%= if true %>ok<% end %>",
            "<% for (var i=0;i<9;i++) { %>x<% } %>",
            "${7*7}",
            "<%= 6*9 %>",
            "%{3*3}",
            "@(2+2)",
            "#{ 4 * '4' }",
            "#set($a=1)$a",
            "<#assign x=\"freemarker.template.utility.Execute\"?new()>",
        ] {
            assert!(hit(v), "{v}");
        }
    }

    #[test]
    fn ignores_python_code_and_prose() {
        for v in [
            "class Completer: def __init__(self, namespace=None): self.namespace = namespace",
            "def __init__(self, *args): Exception.__init__(self, *args)",
            "return self.__class__.__name__",
            "this module provides the components needed to build your own __import__ function",
            "__all__ = [\"Cmd\"]",
            "def __repr__(self): return self.message __str__ = __repr__",
            "100% <%= price %>",
            "if 50% of users, for 20% of time",
            "email me @(555) 123-4567",
            "#set your goals",
            "price: ${price}",
            "Hi {{ name | title }}, your total is {{ total | money }}",
            "{{ price * qty }} for {{ user.selfie_url }} ({{ order.request_date }})",
        ] {
            assert!(!hit(v), "{v}");
        }
    }
}
