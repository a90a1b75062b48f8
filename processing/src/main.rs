use std::{
    io::{BufRead, Write},
    path::PathBuf,
    process::ExitCode,
};

use clap::{Parser, Subcommand};
use processing::{config, detect::Engine, store::Store};

/// wallarm-oob-processing: detects attacks in rebuilt HTTP transactions, stores events locally
/// and prints them.
#[derive(Parser, Debug)]
#[command(name = "wallarm-oob-processing", version)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    #[arg(long, global = true, value_enum, default_value_t = svc::logging::LogFormat::Text, env = "WALLARM_OOB_LOG_FORMAT")]
    log_format: svc::logging::LogFormat,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run the service: mTLS gRPC server for aggregation, local event store, /metrics.
    Serve(config::ServeArgs),
    /// Detect attacks in requests read as JSON Lines (shared/corpora/FORMAT.md); one result line
    /// per request: {"id": …, "attacks": [{"type", "point", "payload"}]}.
    Scan {
        /// Input file, or - for stdin.
        #[arg(long)]
        input: String,
        /// Output file [default: stdout].
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// List attacks: events grouped by type, host, path and point within a time window.
    Attacks {
        #[arg(long, env = "WALLARM_OOB_DATA_DIR", default_value = config::DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
        /// Events of one attack are at most this many seconds apart.
        #[arg(long, default_value_t = 3600)]
        window_secs: i64,
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List stored events, newest first.
    Events {
        /// Data directory of the store.
        #[arg(long, env = "WALLARM_OOB_DATA_DIR", default_value = config::DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only this attack type (e.g. ptrav, sqli).
        #[arg(long)]
        attack: Option<String>,
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    svc::logging::init(cli.log_format, "info");
    let result = match cli.cmd {
        Cmd::Serve(args) => serve(&args),
        Cmd::Scan { input, output } => scan(&input, output),
        Cmd::Events {
            data_dir,
            limit,
            attack,
            json,
        } => events(&data_dir, limit, attack.as_deref(), json),
        Cmd::Attacks {
            data_dir,
            window_secs,
            json,
        } => attacks(&data_dir, window_secs, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wallarm-oob-processing: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &config::ServeArgs) -> anyhow::Result<()> {
    let cfg = config::Config::load(args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let (trigger, shutdown) = svc::shutdown::channel();
        trigger.on_signals();
        processing::run::run(cfg, shutdown).await
    })
}

fn scan(input: &str, output: Option<PathBuf>) -> anyhow::Result<()> {
    let reader: Box<dyn BufRead> = if input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(input).map_err(|e| anyhow::anyhow!("opening {input}: {e}"))?;
        Box::new(std::io::BufReader::new(f))
    };
    let writer: Box<dyn Write> = match output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(&p)
                .map_err(|e| anyhow::anyhow!("creating {}: {e}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let stats = processing::scan::run(reader, writer, &Engine::new())?;
    eprintln!(
        "scanned {} requests: {} with attacks, {} bad lines",
        stats.requests, stats.with_attacks, stats.bad_lines
    );
    Ok(())
}

fn events(
    data_dir: &std::path::Path,
    limit: usize,
    attack: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let store = Store::open(data_dir)?;
    let events = store.list(limit, attack)?;
    let mut out = std::io::stdout().lock();
    if json {
        for e in &events {
            writeln!(out, "{}", serde_json::to_string(e)?)?;
        }
        return Ok(());
    }
    let w = type_width(events.iter().map(|e| e.attack.as_str()));
    writeln!(
        out,
        "{:<6} {:<w$} {:<6} {:<7} {:<40} {:<22} {:<16} POINT",
        "ID", "ATTACK", "PROTO", "METHOD", "URI", "CLIENT", "PROCESS"
    )?;
    for e in &events {
        let point = e
            .points
            .get(0)
            .map(|p| p["point"].to_string())
            .unwrap_or_default();
        let uri: String = e.uri.chars().take(40).collect();
        writeln!(
            out,
            "{:<6} {:<w$} {:<6} {:<7} {:<40} {:<22} {:<16} {}",
            e.id,
            e.attack,
            e.protocol,
            e.method,
            uri,
            e.client,
            format!("{}[{}]", e.comm, e.pid),
            point
        )?;
    }
    if events.is_empty() {
        writeln!(out, "(no events in {})", store.path().display())?;
    }
    Ok(())
}

/// Width of the ATTACK column: the longest type shown (`java_injection`, `prototype_pollution`).
fn type_width<'a>(types: impl Iterator<Item = &'a str>) -> usize {
    types.map(str::len).max().unwrap_or(0).max("ATTACK".len())
}

/// Events considered when grouping attacks (newest first).
const ATTACK_EVENTS: usize = 100_000;

fn attacks(data_dir: &std::path::Path, window_secs: i64, json: bool) -> anyhow::Result<()> {
    let store = Store::open(data_dir)?;
    let attacks = processing::attack::group(
        &store.list(ATTACK_EVENTS, None)?,
        window_secs.saturating_mul(1000),
    );
    let mut out = std::io::stdout().lock();
    if json {
        for a in &attacks {
            writeln!(out, "{}", serde_json::to_string(a)?)?;
        }
        return Ok(());
    }
    let w = type_width(attacks.iter().map(|a| a.attack.as_str()));
    writeln!(
        out,
        "{:<w$} {:>6} {:<24} {:<32} {:<28} SOURCES",
        "ATTACK", "HITS", "HOST", "PATH", "POINT"
    )?;
    for a in &attacks {
        let path: String = a.path.chars().take(32).collect();
        writeln!(
            out,
            "{:<w$} {:>6} {:<24} {:<32} {:<28} {}",
            a.attack,
            a.count,
            a.host,
            path,
            a.point.to_string(),
            a.sources.join(",")
        )?;
    }
    if attacks.is_empty() {
        writeln!(out, "(no events in {})", store.path().display())?;
    }
    Ok(())
}
