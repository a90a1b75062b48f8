//! `cargo xtask eval`: detection quality and speed on the labelled corpora, side by side with
//! ModSecurity + OWASP CRS at paranoia levels 1 and 2.
//!
//! For every `../shared/corpora/*/requests.jsonl` it runs `wallarm-oob-processing scan` and the
//! `xtask/scripts/modsec_eval.py` baseline, then prints TPR (label `attack`) and FPR (label
//! `benign`) per source and per attack type. `protocol` and `unclear` records are skipped.
//! A request counts as detected when any attack is reported for it, whatever its type: the
//! corpora label one type per request, while one payload often fits several classes.
//!
//! The live ModSecurity runs (`crs3-plN`) use Debian's CRS 3.3.4 (the only CRS packaged for this machine); the
//! corpora were labelled with a CRS 4 snapshot, whose paranoia-level-1 rules match no `benign`
//! record by construction. So the report also shows that snapshot's own results, `crs4-ref-pl1` and
//! `crs4-ref-pl2`, rebuilt from the reference run stored in every record (`ref_crs_ids`, all rules
//! evaluated): a record counts as detected at level N when an attack rule of level <= N fired. Each
//! rule's level is read off the CRS records themselves (`crs_paranoia_level` of the tests about
//! that one rule). These rows have no speed: nothing runs.
//!
//! Options: `--corpora DIR` (default `../shared/corpora`), `--no-modsec` (ours only),
//! `--pl 1,2` (paranoia levels to run).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context as _, Result};

struct Record {
    label: String,
    types: Vec<String>,
    /// CRS records: the lowest paranoia level among the rules the test expects to match.
    level: Option<u64>,
    /// Attack rules (see [`is_attack_rule`]) of the corpus's own CRS snapshot that fired on this record in
    /// the reference run recorded by the corpus build (`ref_crs_ids`, paranoia level 4).
    ref_ids: Vec<u64>,
}

/// Detected ids of one engine over one corpus, with its speed.
struct Run {
    name: String,
    detected: HashMap<String, bool>,
    req_per_s: f64,
}

#[derive(Default, Clone, Copy)]
struct Rate {
    hit: u64,
    total: u64,
}

impl Rate {
    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hit += u64::from(hit);
    }

    fn pct(&self) -> String {
        if self.total == 0 {
            "-".to_owned()
        } else {
            format!("{:.2}%", 100.0 * self.hit as f64 / self.total as f64)
        }
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask has a parent dir")?
        .to_path_buf();
    let mut corpora = root.join("../shared/corpora");
    let mut modsec = true;
    let mut levels = vec![1u8, 2];
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--corpora" => corpora = PathBuf::from(it.next().context("--corpora needs a path")?),
            "--no-modsec" => modsec = false,
            "--pl" => {
                levels = it
                    .next()
                    .context("--pl needs levels, e.g. 1,2")?
                    .split(',')
                    .map(|l| l.trim().parse::<u8>().context("paranoia level is a number"))
                    .collect::<Result<_>>()?;
            }
            other => bail!(
                "eval: unknown argument {other:?} (known: --corpora DIR, --no-modsec, --pl 1,2)"
            ),
        }
    }
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&corpora) {
        Ok(dir) => dir
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("requests.jsonl"))
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => {
            println!("eval: no corpora at {} — skipping", corpora.display());
            return Ok(());
        }
    };
    files.sort();
    if files.is_empty() {
        println!(
            "eval: no */requests.jsonl under {} — skipping",
            corpora.display()
        );
        return Ok(());
    }

    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "-p",
            "processing",
            "--bin",
            "wallarm-oob-processing",
        ])
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("building wallarm-oob-processing failed");
    }
    let bin = root.join("target/release/wallarm-oob-processing");
    let scratch = root.join("target/eval");
    std::fs::create_dir_all(&scratch).context("creating target/eval")?;

    let mut overall: BTreeMap<String, (Rate, Rate)> = BTreeMap::new();
    // Each corpus parsed once: rule levels come from all of them before any is reported.
    let parsed = files
        .iter()
        .map(|f| Ok((f, json_lines(f)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut rule_levels = HashMap::new();
    for (_, lines) in &parsed {
        rule_levels.extend(rule_paranoia_levels(lines));
    }
    for (file, lines) in &parsed {
        let source = file
            .parent()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let records = load_records(lines);
        let mut runs = vec![scan_ours(
            &bin,
            file,
            &scratch.join(format!("{source}.ours.jsonl")),
        )?];
        if modsec {
            for pl in &levels {
                let out = scratch.join(format!("{source}.crs-pl{pl}.jsonl"));
                runs.push(scan_modsec(&root, file, &out, *pl)?);
            }
        }
        if modsec && !rule_levels.is_empty() {
            for pl in &levels {
                runs.push(reference_run(&records, &rule_levels, *pl));
            }
        }
        report(&source, &records, &runs, &mut overall);
    }
    println!("\n== overall (all sources) ==");
    println!("{:<14} {:>10} {:>10}", "engine", "TPR", "FPR");
    for (name, (tpr, fpr)) in &overall {
        println!("{:<14} {:>10} {:>10}", name, tpr.pct(), fpr.pct());
    }
    Ok(())
}

/// The records of a JSON Lines corpus file (blank lines skipped).
fn json_lines(file: &Path) -> Result<Vec<serde_json::Value>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l).with_context(|| format!("parsing a line of {}", file.display()))
        })
        .collect()
}

fn load_records(lines: &[serde_json::Value]) -> HashMap<String, Record> {
    let mut out = HashMap::new();
    for v in lines {
        let id = id_of(&v["id"]);
        let label = v["label"].as_str().unwrap_or_default().to_owned();
        let types = v["attack_types"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let ref_ids = v["ref_crs_ids"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(serde_json::Value::as_u64)
                    .filter(|r| is_attack_rule(*r))
                    .collect()
            })
            .unwrap_or_default();
        out.insert(
            id,
            Record {
                label,
                types,
                level: v["crs_paranoia_level"].as_u64(),
                ref_ids,
            },
        );
    }
    out
}

/// CRS attack rules, as counted by `modsec_eval.py` and the corpus labels: files 913 (scanners),
/// 921 (protocol attacks) and 930–944 (application attacks); not protocol enforcement (911, 920,
/// 922), which matches malformed-but-harmless requests.
fn is_attack_rule(rule: u64) -> bool {
    matches!(rule / 1000, 913 | 921 | 930..=944)
}

/// Paranoia level of each CRS rule, from the CRS records of `file`: a test about one rule (a
/// non-attack test of `crs_rule_id`, or an attack test expecting exactly one rule) carries that
/// rule's level. Other corpora give nothing.
fn rule_paranoia_levels(lines: &[serde_json::Value]) -> HashMap<u64, u8> {
    let mut out = HashMap::new();
    for v in lines {
        let Some(level) = v["crs_paranoia_level"].as_u64() else {
            continue;
        };
        let rule = if v["label"] == "attack" {
            match v["crs_expect_ids"].as_array().map(Vec::as_slice) {
                Some([only]) => only.as_u64(),
                _ => None,
            }
        } else {
            v["crs_rule_id"]
                .as_u64()
                .or_else(|| v["crs_rule_id"].as_str().and_then(|s| s.parse().ok()))
        };
        if let Some(rule) = rule {
            out.insert(rule, level as u8);
        }
    }
    out
}

/// The corpus's own CRS snapshot at paranoia level `pl`, from its stored reference run. A fired
/// rule whose level is unknown counts as level 4 (never inflates the lower levels).
fn reference_run(records: &HashMap<String, Record>, levels: &HashMap<u64, u8>, pl: u8) -> Run {
    let detected = records
        .iter()
        .map(|(id, r)| {
            let hit = r
                .ref_ids
                .iter()
                .any(|rule| levels.get(rule).copied().unwrap_or(4) <= pl);
            (id.clone(), hit)
        })
        .collect();
    Run {
        name: format!("crs4-ref-pl{pl}"),
        detected,
        req_per_s: f64::NAN,
    }
}

fn id_of(v: &serde_json::Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

fn scan_ours(bin: &Path, input: &Path, out: &Path) -> Result<Run> {
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let start = Instant::now();
    let status = Command::new(bin)
        .args(["scan", "--input"])
        .arg(input)
        .stdout(Stdio::from(file))
        .status()
        .with_context(|| format!("running {}", bin.display()))?;
    let secs = start.elapsed().as_secs_f64();
    if !status.success() {
        bail!("scan of {} failed", input.display());
    }
    let mut detected = HashMap::new();
    for line in std::fs::read_to_string(out)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line).context("parsing scan output")?;
        let hit = v["attacks"].as_array().is_some_and(|a| !a.is_empty());
        detected.insert(id_of(&v["id"]), hit);
    }
    let n = detected.len() as f64;
    Ok(Run {
        name: "ours".to_owned(),
        detected,
        req_per_s: n / secs.max(1e-9),
    })
}

/// Runs `modsec_eval.py` (ModSecurity + Debian CRS at paranoia level `pl`) over `input`, writing
/// its verdicts to `out`; returns its summary line (`requests`, `seconds`, `cpu_seconds`).
pub(crate) fn run_modsec(
    root: &Path,
    input: &Path,
    out: &Path,
    pl: u8,
) -> Result<serde_json::Value> {
    let script = root.join("xtask/scripts/modsec_eval.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(out)
        .arg("--pl")
        .arg(pl.to_string())
        .stderr(Stdio::piped())
        .output()
        .context("running python3 xtask/scripts/modsec_eval.py")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("modsec_eval.py failed: {stderr}");
    }
    stderr
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .context("modsec_eval.py printed no summary line")
}

fn scan_modsec(root: &Path, input: &Path, out: &Path, pl: u8) -> Result<Run> {
    let summary = run_modsec(root, input, out, pl)?;
    let secs = summary["seconds"].as_f64().unwrap_or(f64::NAN);
    let mut detected = HashMap::new();
    for line in std::fs::read_to_string(out)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line).context("parsing modsec output")?;
        detected.insert(id_of(&v["id"]), v["detected"].as_bool().unwrap_or(false));
    }
    let n = detected.len() as f64;
    Ok(Run {
        name: format!("crs3-pl{pl}"),
        detected,
        req_per_s: n / secs,
    })
}

fn report(
    source: &str,
    records: &HashMap<String, Record>,
    runs: &[Run],
    overall: &mut BTreeMap<String, (Rate, Rate)>,
) {
    println!("\n== {source} ==");
    println!(
        "{:<14} {:>10} {:>10} {:>12}",
        "engine", "TPR", "FPR", "req/s"
    );
    let mut per_type: BTreeMap<&str, Vec<Rate>> = BTreeMap::new();
    let mut per_level: BTreeMap<u64, Vec<Rate>> = BTreeMap::new();
    for (k, run) in runs.iter().enumerate() {
        let (mut tpr, mut fpr) = (Rate::default(), Rate::default());
        for (id, rec) in records {
            let hit = run.detected.get(id).copied().unwrap_or(false);
            match rec.label.as_str() {
                "attack" => {
                    tpr.add(hit);
                    for t in &rec.types {
                        let rates = per_type
                            .entry(t.as_str())
                            .or_insert_with(|| vec![Rate::default(); runs.len()]);
                        rates[k].add(hit);
                    }
                    if let Some(level) = rec.level {
                        per_level
                            .entry(level)
                            .or_insert_with(|| vec![Rate::default(); runs.len()])[k]
                            .add(hit);
                    }
                }
                "benign" => fpr.add(hit),
                _ => {}
            }
        }
        let speed = if run.req_per_s.is_finite() {
            format!("{:.0}", run.req_per_s)
        } else {
            "-".to_owned()
        };
        println!(
            "{:<14} {:>10} {:>10} {:>12}",
            run.name,
            tpr.pct(),
            fpr.pct(),
            speed
        );
        let entry = overall.entry(run.name.clone()).or_default();
        entry.0.hit += tpr.hit;
        entry.0.total += tpr.total;
        entry.1.hit += fpr.hit;
        entry.1.total += fpr.total;
    }
    // Same machine, same corpus, same run: the speed ratio is the comparable figure (absolute
    // rates drift ±15 % between runs, see notes/performance-anchors.md).
    if let Some(ours) = runs.first() {
        for other in &runs[1..] {
            if other.req_per_s.is_finite() && other.req_per_s > 0.0 {
                println!(
                    "speed ratio {} / {}: {:.1}x",
                    ours.name,
                    other.name,
                    ours.req_per_s / other.req_per_s
                );
            }
        }
    }
    print!("{:<26} {:>6}", "attack type (TPR)", "n");
    for run in runs {
        print!(" {:>13}", run.name);
    }
    println!();
    let mut rows: Vec<_> = per_type.into_iter().collect();
    rows.sort_by_key(|(_, r)| std::cmp::Reverse(r[0].total));
    for (t, rates) in rows {
        print_row(t, &rates);
    }
    // What a default WAF would block is PL1; PL3/PL4 tests are weak positives (see the corpus
    // README), so the rates per level say where a difference comes from.
    for (level, rates) in per_level {
        print_row(&format!("crs paranoia level {level}"), &rates);
    }
}

fn print_row(name: &str, rates: &[Rate]) {
    print!("{:<26} {:>6}", name, rates[0].total);
    for r in rates {
        print!(" {:>13}", r.pct());
    }
    println!();
}
