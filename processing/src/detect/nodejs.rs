//! Server-side JavaScript (Node.js) injection: module loading, process and module-loader
//! access, Node's synchronous system APIs, constructor escapes (dot and bracket forms),
//! code builders (`eval('…')`, `Function(…)()`), serialized functions and loops whose
//! condition is a truthy constant or a true comparison of constants.

use super::prefilter::{lit, LitId, LitSet, Lits};
use super::rules::{any_leaf, Rule, RuleDetector};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

/// The rules plus the endless-loop check, which needs the loop condition evaluated.
pub struct Node {
    rules: RuleDetector,
    /// `console.log(1)`, `console.info.call(this,1)`: the probe that shows server-side
    /// evaluation in the logs. A program of several lines calling it is a code snippet a
    /// user shares, not a payload, so only single-line values count.
    console: regex::bytes::Regex,
    console_gate: LitId,
    loop_cond: regex::bytes::Regex,
    loop_cmp: regex::bytes::Regex,
    loop_gate: LitId,
    /// Every literal any check here needs: one test for the many values that hold none,
    /// instead of one per rule.
    any_gate: Lits,
}

/// A loop whose condition is a constant (literals and `this`, under unary operators).
const LOOP: &str = r#"(?-u)\bwhile\s*\((?:\s|/\*[^*]{0,32}\*/)*((?:[!+\-~](?:\s|/\*[^*]{0,32}\*/)*)*)(true|false|null|undefined|nan|infinity|this|0x[0-9a-f]{1,8}|\d*\.?\d+(?:e[+-]?\d+)?|"[^"\\]{0,32}"|'[^'\\]{0,32}'|`[^`\\$]{0,32}`|\[[^\]\[]{0,32}\]|\{[^}{]{0,32}\}|/[^/\s*][^/\n]{0,30}/)(?:\s|/\*[^*]{0,32}\*/)*\)"#;

/// A loop comparing two constants: `while(1==1)`, `while ('a' !== 'b')`.
const LOOP_CMP: &str = r#"(?-u)\bwhile\s*\(\s*(\d+(?:\.\d+)?|true|false|'[^'\\]{0,16}'|"[^"\\]{0,16}")\s*(===?|!==?|<=|>=|<|>)\s*(\d+(?:\.\d+)?|true|false|'[^'\\]{0,16}'|"[^"\\]{0,16}")\s*\)"#;

/// Whether `a op b` holds for two literals of [`LOOP_CMP`] (numbers compare as numbers, other
/// literals by their text, quotes aside).
fn compare(a: &[u8], op: &[u8], b: &[u8]) -> bool {
    let num = |x: &[u8]| match x {
        b"true" => Some(1.0),
        b"false" => Some(0.0),
        _ => std::str::from_utf8(x).ok()?.parse::<f64>().ok(),
    };
    let text = |x: &'_ [u8]| -> Vec<u8> {
        x.iter()
            .copied()
            .filter(|c| *c != b'\'' && *c != b'"')
            .collect()
    };
    let ord = match (num(a), num(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ => Some(text(a).cmp(&text(b))),
    };
    let Some(ord) = ord else { return false };
    match op {
        b"==" | b"===" => ord.is_eq(),
        b"!=" | b"!==" => ord.is_ne(),
        b"<" => ord.is_lt(),
        b">" => ord.is_gt(),
        b"<=" => ord.is_le(),
        b">=" => ord.is_ge(),
        _ => false,
    }
}

/// JavaScript truthiness of `literal` under the unary operators `ops` (applied right to
/// left): `while(!null)` and `while(+Infinity)` never end, `while(!true)` never starts.
fn truthy(ops: &[u8], literal: &[u8]) -> bool {
    // (truthiness, ToNumber) of the literal.
    let (mut t, mut n) = match literal {
        b"true" => (true, 1.0),
        b"false" | b"null" | b"\"\"" | b"''" | b"``" => (false, 0.0),
        b"undefined" | b"nan" => (false, f64::NAN),
        b"infinity" => (true, f64::INFINITY),
        b"[]" => (true, 0.0),
        b"{}" | b"this" => (true, f64::NAN),
        // A string is truthy unless empty; its number is its numeric text, if any.
        [b'"' | b'\'' | b'`', inner @ .., _] if !inner.is_empty() => {
            let v = std::str::from_utf8(inner)
                .ok()
                .and_then(|x| x.trim().parse::<f64>().ok())
                .unwrap_or(f64::NAN);
            (true, v)
        }
        // Arrays, objects and regular expressions are objects: always truthy.
        [b'[', inner @ .., b']'] => {
            let v = std::str::from_utf8(inner)
                .ok()
                .and_then(|x| x.trim().parse::<f64>().ok())
                .unwrap_or(f64::NAN);
            (true, v)
        }
        [b'{' | b'/', ..] => (true, f64::NAN),
        _ => {
            let text = std::str::from_utf8(literal).ok();
            let v = text
                .and_then(|x| x.strip_prefix("0x"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .map(f64::from)
                .or_else(|| text.and_then(|x| x.parse::<f64>().ok()))
                .unwrap_or(f64::NAN);
            (v != 0.0 && !v.is_nan(), v)
        }
    };
    for &op in ops.iter().rev() {
        match op {
            b'!' => {
                t = !t;
                n = if t { 1.0 } else { 0.0 };
            }
            b'+' | b'-' | b'~' => {
                if op == b'-' {
                    n = -n;
                } else if op == b'~' {
                    // ToInt32 then bitwise not.
                    let i = if n.is_finite() { n as i64 as i32 } else { 0 };
                    n = f64::from(!i);
                }
                t = n != 0.0 && !n.is_nan();
            }
            _ => {}
        }
    }
    t
}

impl Detector for Node {
    fn attack(&self) -> AttackType {
        AttackType::NodejsInjection
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        if !present.any(&self.any_gate) {
            return None;
        }
        if present.has(self.loop_gate) {
            for c in self.loop_cond.captures_iter(leaf.lower.as_bytes()).take(8) {
                let (Some(m), Some(ops), Some(lit)) = (c.get(0), c.get(1), c.get(2)) else {
                    continue;
                };
                if truthy(ops.as_bytes(), lit.as_bytes()) {
                    return Some(Finding {
                        at: m.start()..m.end(),
                        reason: "endless loop",
                    });
                }
            }
        }
        if present.has(self.loop_gate) {
            for c in self.loop_cmp.captures_iter(leaf.lower.as_bytes()).take(8) {
                let (Some(m), Some(a), Some(op), Some(b)) =
                    (c.get(0), c.get(1), c.get(2), c.get(3))
                else {
                    continue;
                };
                if compare(a.as_bytes(), op.as_bytes(), b.as_bytes()) {
                    return Some(Finding {
                        at: m.start()..m.end(),
                        reason: "endless loop",
                    });
                }
            }
        }
        // Its own regex rather than a `Rule`: a call site of `Rule::find` outside the shared
        // matcher made the compiler stop inlining it into every rule list.
        if present.has(self.console_gate) && !leaf.lower.trim_end().contains('\n') {
            if let Some(m) = self.console.find(leaf.lower.as_bytes()) {
                return Some(Finding {
                    at: m.start()..m.end(),
                    reason: "console call",
                });
            }
        }
        self.rules.check(leaf, present)
    }
}

pub fn detector() -> Node {
    let rules = rules();
    let console_gate = lit("console");
    let console = regex::bytes::Regex::new(
        r#"(?-u)\bconsole\s*(?:\.\s*(?:log|info|warn|error|debug|trace|dir)|\[\s*['"`](?:log|info|warn|error|debug|trace|dir)['"`]\s*\])\s*(?:\(|\.\s*(?:call|apply|bind)\s*\()"#,
    )
    .expect("static pattern compiles");
    let loop_gate = lit("while");
    let any_gate: Lits = rules
        .rules
        .iter()
        .flat_map(|r| r.prefilter.iter().copied())
        .chain([loop_gate, console_gate])
        .collect();
    Node {
        rules,
        console,
        console_gate,
        any_gate,
        loop_cond: regex::bytes::Regex::new(LOOP).expect("static pattern compiles"),
        loop_cmp: regex::bytes::Regex::new(LOOP_CMP).expect("static pattern compiles"),
        loop_gate,
    }
}

fn rules() -> RuleDetector {
    RuleDetector {
        attack: AttackType::NodejsInjection,
        rules: vec![
            Rule::new(
                &["require", "import"],
                r#"(?:require|import)\s*\(\s*['"`](?:node:)?(?:child_process|fs|fs/promises|net|vm|os|http|https|dgram|cluster|process|worker_threads|module|v8|inspector)['"`]|(?:require|import)\s*\(\s*['"`][a-z_:/]{0,24}['"`]\s*\+"#,
                "node module load",
            ),
            Rule::new(
                &["child_process", "process", "require", "module"],
                r#"child_process|process\s*(?:\.\s*|\[\s*['"`])(?:mainmodule|main|binding|env|exit|kill|dlopen|stdout|cwd|constructor|global|process|require|argv|(?:access|appendfile|chmod|chown|copyfile|createreadstream|createwritestream|exec|execfile|open|opendir|readdir|readfile|readlink|rename|rm|rmdir|spawn|symlink|truncate|unlink|writefile)(?:sync)?\s*\()|require\s*(?:\.\s*(?:main|resolve|cache|extensions)\b|\[)|module\s*\.\s*exports\s*="#,
                "node process access",
            ),
            // React Flight references walking the prototype chain: `"$1:constructor:constructor"`,
            // `"$7:Module:prototype"` (the server-components deserialization RCE).
            Rule::new(
                &["\"$", "'$"],
                r#"["']\$[0-9a-z@]{1,8}:(?:[a-z_$][a-z0-9_$]*:)*(?:constructor|prototype|__proto__)\b"#,
                "flight reference to the prototype chain",
            ),
            // `this.constructor.constructor(…)`, `''['constructor']['constructor']`,
            // `[].constructor.constructor("return this")()`: reaching `Function` through any
            // object, in dot or bracket notation.
            Rule::new(
                &["constructor"],
                r#"constructor\s*(?:\.\s*constructor|\[\s*['"`]constructor['"`]\s*\]|\(\s*['`\x22]return)|\bthis\s*\.\s*constructor\b|\[\s*['"`]constructor['"`]\s*\]\s*\[\s*['"`]constructor"#,
                "constructor escape",
            ),
            // node-serialize's `_$$ND_FUNC$$_`, funcster's `__js_function`, `new Function(…)`,
            // `Function("return process")()` and immediately-invoked functions.
            Rule::new(
                &["_$$nd_func$$_", "__js_function", "function"],
                r#"_\$\$nd_func\$\$_|__js_function|\bnew\s+function\s*\(|function\s*\(\s*\)\s*\{[^}]*\}\s*\(|\bfunction\s*\(\s*['"`][^'"`]*['"`]\s*\)\s*\("#,
                "serialized or immediately-invoked function",
            ),
            // `fs.readFileSync(…)`, `require('fs').writeFileSync`, `vm.runInNewContext(…)`,
            // `cp.execSync(…)`: the synchronous file, process and sandbox APIs only Node has.
            Rule::new(
                &["sync", "runin", "createscript", "spawn", "execfile"],
                r"\.\s*(?:(?:read|write|append)filesync|readdirsync|(?:un)?linksync|execsync|execfilesync|spawnsync|execfile|spawn|runin(?:new|this)?context|createscript)\s*\(",
                "node system call",
            ),
            // `module.constructor._load(…)`, `module.require(…)`, `global.process`,
            // `globalThis.process`: the module loader and the process object by other names.
            Rule::new(
                &["_load", "module", "global"],
                r"\b(?:module\s*\.\s*(?:constructor\s*\.\s*_load|require)\s*\(|_load\s*\(\s*['`\x22]?child_process|global(?:this)?\s*(?:\.\s*|\[\s*['`\x22])process\b)",
                "node module loader",
            ),
            Rule::new(&[";;", "; ;"], r"\bfor\s*\(\s*;\s*;\s*\)", "endless loop"),
            // `eval('…')`, `eval(x(…))`, `String.fromCharCode(…)`, `function(){…}`: code that
            // builds or runs code, as no form value does.
            Rule::new(
                &["eval", "fromcharcode", "function"],
                r#"\beval\s*\(\s*(?:['"`]|[a-z_$][a-z0-9_$.]*\s*\()|\bstring\s*\.\s*fromcharcode\s*\(|\bfunction\s*\(\s*\)\s*\{"#,
                "javascript code evaluation",
            ),
            Rule::new(
                &["eval", "settimeout", "setinterval"],
                r"\b(?:eval|settimeout|setinterval|function)\s*\(\s*(?:atob|buffer|string\.fromcharcode|unescape|decodeuricomponent)",
                "decoded code evaluation",
            ),
        ],
        applies: any_leaf,
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::check_one;

    #[test]
    fn finds_server_side_js() {
        let d = super::detector();
        let missed: Vec<_> = [
            "require('child_process').exec('id')",
            "require[x.y]('fs')",
            "console.log(process)",
            "console . warn . apply(null, [1])",
            "while(-Infinity){}",
            "while (!undefined) ;",
            "while(~0);",
            "while(1)",
            "while ( !0 ) {}",
            r#"{"then":"$1:__proto__:then","x":"$@0"}"#,
            r#"["$3:constructor:constructor"]"#,
            // Reaching `Function`, the module loader and Node's system APIs by other names.
            "''['constructor']['constructor']('return process')()",
            "this.constructor.constructor('return this')()",
            "Function('return process')()",
            "module.constructor._load('child_process')",
            "global.process.mainModule",
            "require('node:child_process').spawn('sh')",
            "fs.writeFileSync('/tmp/x','y')",
            "vm.runInNewContext('1')",
            r#"{"__js_function":"function(){return 1}"}"#,
            "eval(decodeURIComponent('%72equire'))",
            // Loops that never end: comparisons of constants, truthy literals.
            "while(1==1){}",
            "while('a' !== 'b');",
            "while('a')",
            "while([1]);",
            "while({a:1});",
            "while(/**/true);",
            "while(0x1)",
            "while(1e3){}",
            "require('child_'+'process')",
            "process.constructor",
            "process['argv']",
            "process.readFileSync('x')",
            "require.cache",
            "require.resolve('x')",
            "console['warn'](1)",
            "eval('1+1')",
            "String.fromCharCode(97)",
            "function(){ return 1 }",
        ]
        .into_iter()
        .filter(|v| check_one(&d, v).is_none())
        .collect();
        assert!(missed.is_empty(), "{missed:?}");
    }

    #[test]
    fn every_rule_is_gated() {
        // The detector's shared gate is the union of the rules' literals: a rule without
        // literals would never run.
        assert!(super::rules().rules.iter().all(|r| !r.prefilter.is_empty()));
    }

    #[test]
    fn ignores_prose_and_prices() {
        let d = super::detector();
        let flagged: Vec<_> = [
            "the console logs are in /var/log",
            "while (supplies last)",
            "while(x < 10)",
            "while(!true);",
            "while(false){}",
            "while(~-1)",
            "while(+[])",
            "cost: $1: prototype board",
            "required fields [name]",
            "$5:00 constructor kit",
            "while(1==2)",
            "while('')",
            "while(!'x')",
            "while(!{})",
            "while(0x0)",
            "while(/* wait */ x)",
            "the constructor of the house",
            "module exports to China",
            "sync your phone",
            "const t = 1;\nconsole.log(t);",
            "the eval (evaluation) form",
            "a function () of x",
            "required resolve",
        ]
        .into_iter()
        .filter(|v| check_one(&d, v).is_some())
        .collect();
        assert!(flagged.is_empty(), "{flagged:?}");
    }
}
