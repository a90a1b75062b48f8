//! Ruby code injection: what a value has to contain to run commands when an application
//! `eval`s it, renders it as ERB or deserializes it — process-spawning calls on the core
//! classes, `%x` command literals, the `send`/`instance_eval` reflection that reaches them,
//! and the YAML/Marshal gadget tags that build objects on load.

use super::rules::{any_leaf, Rule, RuleDetector};
use super::AttackType;

pub fn detector() -> RuleDetector {
    RuleDetector {
        attack: AttackType::RubyInjection,
        rules: vec![
            // `Process.spawn("id")`, `Kernel.exec 'id'`, `IO.popen(…)`, `Open3.capture2(…)`.
            Rule::new(
                &[
                    "process.", "process:", "kernel.", "kernel:", "io.", "io:", "open3.", "open3:",
                    "pty.", "pty:",
                ],
                r#"\b(?:process|kernel|io|open3|pty)(?:\.|::)\s*(?:spawn|exec|system|fork|popen[23]?\w*|capture[23]?\w*|pipeline\w*|syscall|open)\s*(?:\(|['"`%]|\s+['"$])"#,
                "ruby process call",
            ),
            // `%x{id}`, `%x(ls)`: Ruby's command literal (printf's `%x` is never followed by
            // an opening bracket).
            Rule::new(
                &["%x"],
                r"(?:^|[^a-z0-9%])%x[{(\[<|!]",
                "ruby command literal",
            ),
            // `send(:system, "id")`, `public_send("eval", …)`, `.instance_eval(…)`.
            Rule::new(
                &["send(", "send :", "send '", "send \"", "_eval", "_exec"],
                r#"\b(?:__send__|public_send|send)\s*\(?\s*[:'"](?:system|exec|spawn|eval|instance_eval|class_eval|syscall|`)|\.\s*(?:instance_eval|class_eval|module_eval|instance_exec|class_exec)\s*[({]"#,
                "ruby reflective call",
            ),
            // Psych/Marshal gadgets: YAML tags that instantiate arbitrary classes, and the
            // RubyGems classes the known deserialization chains are built from.
            Rule::new(
                &["!ruby/", "gem::"],
                r"!ruby/(?:object|hash|struct|class|module|regexp|exception|sym)\b|\bgem::(?:installer|requirement|stubspecification|specification|package|requestset|source)\b",
                "ruby deserialization gadget",
            ),
            // `ERB.new("<%= `id` %>").result`, `Marshal.load(…)`, `YAML.unsafe_load`.
            Rule::new(
                &["erb.", "marshal.", "yaml."],
                r"\berb\.\s*new\s*\(|\bmarshal\.\s*(?:load|restore)\s*\(|\byaml\.\s*(?:unsafe_load|load)\s*\(",
                "ruby evaluator call",
            ),
        ],
        applies: any_leaf,
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::check_one;

    #[test]
    fn finds_ruby_code() {
        let d = super::detector();
        let missed: Vec<_> = [
            "Kernel.exec('cat /etc/hosts')",
            "IO.popen('uname').read",
            "Open3.capture3(\"ls\")",
            "process::spawn 'id'",
            "%x{whoami}",
            "a = %x(ls -la)",
            "1.send(:system, 'id')",
            "Object.instance_eval(\"`id`\")",
            "--- !ruby/object:Gem::Installer\ni: x",
            "Marshal.load(Base64.decode64(x))",
            "<%= ERB.new(params[:t]).result %>",
        ]
        .into_iter()
        .filter(|v| check_one(&d, v).is_none())
        .collect();
        assert!(missed.is_empty(), "{missed:?}");
    }

    #[test]
    fn ignores_prose_and_format_strings() {
        let d = super::detector();
        let flagged: Vec<_> = [
            "the process spawns workers",
            "printf(\"%x\", n)",
            "send me the file",
            "io.open the door",
            "Process improvement (2024)",
            "gem install rails",
            "yaml loader docs",
        ]
        .into_iter()
        .filter(|v| check_one(&d, v).is_some())
        .collect();
        assert!(flagged.is_empty(), "{flagged:?}");
    }
}
