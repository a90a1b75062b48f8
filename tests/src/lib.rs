//! Test harness: the three components in-process (real eBPF, real mTLS gRPC), a real nginx in
//! its own cgroup, and helpers to wait for what a user would see.
use std::{
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use processing::store::{Store, StoredEvent};

/// Fails the test with what is missing, rather than skipping silently.
pub fn require_root() {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc_getuid() };
    assert_eq!(
        uid, 0,
        "end-to-end tests load eBPF programs and create cgroups: run them as root"
    );
    assert!(
        which("nginx") && which("curl"),
        "nginx and curl are needed: run `cargo xtask setup` (installs nginx-light and curl)"
    );
}

extern "C" {
    #[link_name = "getuid"]
    fn libc_getuid() -> u32;
}

pub fn which(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Polls `f` until it returns Some or `timeout` passes.
pub fn wait_for<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A cgroup v2 directory removed on drop (its processes must be gone by then).
pub struct Cgroup(pub PathBuf);

impl Cgroup {
    pub fn new(name: &str) -> Self {
        let root = agent::cgroup::cgroup2_root().expect("cgroup2 mounted");
        let dir = root.join(format!("{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creating a test cgroup (root needed)");
        Self(dir)
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        let _ = wait_for(Duration::from_secs(5), || std::fs::remove_dir(&self.0).ok());
    }
}

/// Starts a server and waits until it accepts connections on 127.0.0.1:`port`.
fn spawn_listening(name: &str, cmd: &mut Command, port: u16) -> Child {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {name}: {e}"));
    let up = wait_for(Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).ok()
    });
    assert!(up.is_some(), "{name} did not start on port {port}");
    child
}

/// How the test nginx listens.
#[derive(Clone, Copy, Debug, Default)]
pub struct NginxOptions {
    /// HTTP/2 over cleartext with prior knowledge (`listen … http2`).
    pub http2: bool,
    /// Expect a PROXY v1/v2 header from a load balancer (`listen … proxy_protocol`).
    pub proxy_protocol: bool,
    /// TLS (OpenSSL) with a throwaway certificate; with `http2`, h2 is offered by ALPN.
    pub tls: bool,
}

/// A real nginx (one worker) on 127.0.0.1:port, started inside `cgroup`; every path answers 200.
pub struct Nginx {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Nginx {
    pub fn start(cgroup: &Cgroup) -> Self {
        Self::start_with(cgroup, NginxOptions::default())
    }

    pub fn start_with(cgroup: &Cgroup, o: NginxOptions) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let d = dir.path().display();
        let mut listen_flags = String::new();
        for (on, flag) in [
            (o.tls, " ssl"),
            (o.http2, " http2"),
            (o.proxy_protocol, " proxy_protocol"),
        ] {
            if on {
                listen_flags.push_str(flag);
            }
        }
        if o.tls {
            let ca = svc::devcerts::DevCa::new("nginx test CA").expect("test CA");
            let (cert, key) = ca.issue("localhost").expect("test certificate");
            std::fs::write(dir.path().join("tls.crt"), cert).expect("writing certificate");
            std::fs::write(dir.path().join("tls.key"), key).expect("writing key");
            listen_flags.push_str(&format!(
                ";\n    ssl_certificate {d}/tls.crt;\n    ssl_certificate_key {d}/tls.key"
            ));
        }
        let conf = format!(
            "daemon off;\nmaster_process on;\nworker_processes 1;\nuser root;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  keepalive_requests 1000;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             server {{\n    listen 127.0.0.1:{port}{listen_flags};\n    location / {{ return 200 \"ok\\n\"; }}\n  }}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).expect("writing nginx.conf");
        let script = format!(
            "echo $$ > {}/cgroup.procs && exec nginx -p {d} -c {d}/nginx.conf",
            cgroup.0.display()
        );
        let child = spawn_listening("nginx", Command::new("sh").args(["-c", &script]), port);
        Self {
            child,
            port,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn https_url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = wait_for(Duration::from_secs(5), || {
            self.child.try_wait().ok().flatten()
        });
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// haproxy in TCP mode on 127.0.0.1:port in front of `backend_port`, prepending a PROXY header
/// (`send-proxy` for v1, `send-proxy-v2` for v2).
pub struct Haproxy {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Haproxy {
    pub fn start(backend_port: u16, send_proxy: &str) -> Self {
        assert!(
            which("haproxy"),
            "haproxy is needed: run `cargo xtask setup`"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let conf = format!(
            "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n\
             frontend fe\n  bind 127.0.0.1:{port}\n  default_backend be\n\
             backend be\n  server app 127.0.0.1:{backend_port} {send_proxy}\n"
        );
        let path = dir.path().join("haproxy.cfg");
        std::fs::write(&path, conf).expect("writing haproxy.cfg");
        let child = spawn_listening(
            "haproxy",
            Command::new("haproxy").arg("-db").arg("-f").arg(&path),
            port,
        );
        Self {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// curl with `args`; returns (exit ok, stdout).
pub fn curl(args: &[&str]) -> (bool, String) {
    let out = Command::new("curl")
        .args(["-s", "--path-as-is", "--max-time", "10"])
        .args(args)
        .output()
        .expect("running curl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The three components running in this process, wired with a fresh dev CA.
pub struct Pipeline {
    pub dir: tempfile::TempDir,
    pub aggregation: SocketAddr,
    /// Processing replicas.
    pub processing: Vec<SocketAddr>,
    triggers: Vec<svc::shutdown::Trigger>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Pipeline {
    pub fn certs(dir: &Path) -> PathBuf {
        let certs = dir.join("certs");
        svc::devcerts::write_all(&certs).expect("writing dev certificates");
        certs
    }

    /// Starts processing, aggregation and an agent capturing `cgroup`; returns once the agent
    /// has attached its programs.
    pub fn start(cgroup: &Cgroup) -> Self {
        Self::start_replicas(cgroup, 1)
    }

    /// As [`Pipeline::start`], with `replicas` processing instances behind one aggregation.
    pub fn start_replicas(cgroup: &Cgroup, replicas: usize) -> Self {
        // Component logs only when asked for: RUST_LOG=info cargo test …
        svc::logging::init(svc::logging::LogFormat::Text, "off");
        let dir = tempfile::tempdir().expect("temp dir");
        let certs = Self::certs(dir.path());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let processing: Vec<SocketAddr> = (0..replicas)
            .map(|_| format!("127.0.0.1:{}", free_port()).parse().expect("addr"))
            .collect();
        let aggregation: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
        let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        let mut triggers = Vec::new();

        for (i, &listen) in processing.iter().enumerate() {
            let pcfg = processing::config::Config {
                listen,
                tls_dir: certs.join("processing"),
                data_dir: dir.path().join(format!("data-{i}")),
                metrics_addr: any,
                stdout_events: false,
            };
            let (t, s) = svc::shutdown::channel();
            triggers.push(t);
            runtime.spawn(async move {
                if let Err(e) = processing::run::run(pcfg, s).await {
                    panic!("processing failed: {e:#}");
                }
            });
        }

        let acfg = aggregation::config::Config {
            listen: aggregation,
            processing: processing
                .iter()
                .map(|a| format!("https://{a}"))
                .collect::<Vec<_>>()
                .join(","),
            tls_dir: certs.join("aggregation"),
            metrics_addr: any,
            ..Default::default()
        };
        let (t, s) = svc::shutdown::channel();
        triggers.push(t);
        runtime.spawn(async move {
            if let Err(e) = aggregation::run::run(acfg, s).await {
                panic!("aggregation failed: {e:#}");
            }
        });

        let gcfg = agent::config::Config {
            aggregation: format!("https://{aggregation}"),
            tls_dir: certs.join("agent"),
            cgroups: vec![cgroup.0.clone()],
            node_name: "test-node".into(),
            metrics_addr: any,
            ..Default::default()
        };
        let (t, s) = svc::shutdown::channel();
        triggers.push(t);
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let agent = runtime.spawn(agent::run::run_notify(gcfg, s, Some(ready_tx)));
        let started = runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(30), ready_rx).await });
        if !matches!(started, Ok(Ok(()))) {
            let why = runtime
                .block_on(async { tokio::time::timeout(Duration::from_secs(1), agent).await });
            panic!("the agent did not start: {why:?}");
        }
        Self {
            dir,
            aggregation,
            processing,
            triggers,
            runtime: Some(runtime),
        }
    }

    /// Events stored by replica `i`, newest first.
    pub fn replica_events(&self, i: usize) -> Vec<StoredEvent> {
        Store::open(&self.dir.path().join(format!("data-{i}")))
            .and_then(|s| s.list(100_000, None))
            .unwrap_or_default()
    }

    /// Events of every replica, newest first.
    pub fn events(&self) -> Vec<StoredEvent> {
        let mut all: Vec<StoredEvent> = (0..self.processing.len())
            .flat_map(|i| self.replica_events(i))
            .collect();
        all.sort_by_key(|e| std::cmp::Reverse((e.ts_unix_ms, e.id)));
        all
    }

    /// Waits until at least `n` events are stored; returns them (oldest first).
    pub fn wait_events(&self, n: usize, timeout: Duration) -> Vec<StoredEvent> {
        let found = wait_for(timeout, || {
            let e = self.events();
            (e.len() >= n).then_some(e)
        });
        let mut events = found.unwrap_or_else(|| self.events());
        events.reverse();
        events
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        // Agent first, so it flushes to a still-running aggregation.
        for t in self.triggers.iter().rev() {
            t.fire();
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }
}
