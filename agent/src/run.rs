//! Wiring: capture → reader → batches → upstream, plus the ops endpoint.
use std::time::Duration;

use agent_common::{Config as KernelConfig, ConnKey, ConnState, Role, USER_CONN_ID_BIT};
use aya::maps::{HashMap, MapData};
use proto::capture::{conn_event::Kind, ConnEvent, Open};

use anyhow::Context;

use crate::{
    batch::{BatchLimits, Batcher},
    cgroup,
    clock::{unix_now_ns, MonotonicToUnix},
    config::Config,
    loader::Capture,
    metrics::Metrics,
    procfs, reader, records,
    tls_attach::TlsWatch,
    upstream,
};

/// How often selected cgroups are checked for processes mapping a new libssl.
const TLS_RESCAN: Duration = Duration::from_secs(5);
/// Time given to deliver what is buffered at shutdown.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);
const BPF_NOEXIST: u64 = 1;

pub async fn run(cfg: Config, shutdown: svc::shutdown::Shutdown) -> anyhow::Result<()> {
    run_notify(cfg, shutdown, None).await
}

/// As [`run`]; `ready` fires once the programs are attached and the selection is in place.
pub async fn run_notify(
    cfg: Config,
    shutdown: svc::shutdown::Shutdown,
    ready: Option<tokio::sync::oneshot::Sender<()>>,
) -> anyhow::Result<()> {
    let metrics = Metrics::default();
    let ops = svc::http::Ops::new(metrics.registry());
    let tls = svc::tls::TlsFiles::in_dir(&cfg.tls_dir).client(&cfg.server_name)?;

    let kernel_config = KernelConfig {
        capture_ingress: cfg.mirror_ingress as u8,
        capture_egress: cfg.mirror_egress as u8,
        _pad: [0; 6],
        wakeup_threshold: cfg.ring_wakeup_bytes,
    };
    let mut capture = Capture::load(crate::EBPF_OBJECT, kernel_config)?;
    metrics
        .missing_hooks
        .set(capture.missing_hooks.len() as i64);

    let mut scan_pids = Vec::new();
    let mut cgroup_dirs = Vec::new();
    for path in &cfg.cgroups {
        let (dir, id) = cgroup::resolve(path)?;
        capture.cgroups.insert(id, 1, 0)?;
        tracing::info!(cgroup = %dir.display(), id, "capturing cgroup");
        scan_pids.extend(cgroup::procs(&dir));
        cgroup_dirs.push(dir);
    }
    for &pid in &cfg.pids {
        capture.pids.insert(pid, 1, 0)?;
        tracing::info!(pid, "capturing process");
        scan_pids.push(pid);
    }
    let mut tls_watch = cfg
        .mirror_tls
        .then(|| TlsWatch::new(cgroup_dirs, cfg.pids.clone()));
    if let Some(w) = tls_watch.as_mut() {
        metrics.tls_libraries.inc_by(w.scan(&mut capture) as u64);
    }
    metrics.selected_cgroups.set(cfg.cgroups.len() as i64);
    metrics.selected_pids.set(cfg.pids.len() as i64);
    let existing = adopt_existing(&mut capture.conns, &scan_pids);
    metrics.existing_connections.inc_by(existing.len() as u64);

    let (outbox, rx) = svc::reliable::outbox(cfg.queue_batches, metrics.upstream.clone());
    if !existing.is_empty() {
        tracing::info!(
            connections = existing.len(),
            "tracking connections that were already open"
        );
        outbox.offer(reader::synthetic_batch(&cfg.node_name, existing));
    }
    let url = cfg.aggregation.clone();
    let limits = svc::reliable::Limits {
        max_unacked: cfg.max_unacked,
        ..Default::default()
    };
    let sender = tokio::spawn(svc::reliable::run(
        rx,
        upstream::set_seq,
        move |s| upstream::open(url.clone(), Some(tls.clone()), s),
        limits,
        metrics.upstream.clone(),
    ));
    let bound = svc::http::Ops::serve(ops.router(), cfg.metrics_addr, shutdown.clone()).await?;
    tracing::info!(metrics = %bound, aggregation = %cfg.aggregation, "agent running");
    ops.set_ready(true);
    if let Some(ready) = ready {
        let _ = ready.send(());
    }

    let reader = reader::Reader {
        ring: capture
            .events
            .take()
            .context("the ring buffer is read once")?,
        loss: capture
            .loss
            .take()
            .context("the loss counters are read once")?,
        batcher: Batcher::new(cfg.node_name.clone(), BatchLimits::default()),
        outbox,
        metrics: metrics.clone(),
        clock: MonotonicToUnix::now(),
    };
    // New processes in the selected cgroups may map a libssl not seen yet.
    let mut stop = shutdown.clone();
    let rescan = async {
        let Some(w) = tls_watch.as_mut() else { return };
        let mut tick = tokio::time::interval(TLS_RESCAN);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    metrics.tls_libraries.inc_by(w.scan(&mut capture) as u64);
                }
                _ = stop.wait() => return,
            }
        }
    };
    let (read, ()) = tokio::join!(reader.run(shutdown), rescan);
    read?;
    // The reader dropped its outbox: the sender finishes once everything is acknowledged.
    if tokio::time::timeout(FLUSH_TIMEOUT, sender).await.is_err() {
        tracing::warn!("aggregation did not acknowledge everything before shutdown");
    }
    Ok(())
}

/// Puts established TCP sockets of `pids` into the connection table, so connections opened before
/// the agent started are captured too (their streams start mid-message; aggregation resyncs).
fn adopt_existing(
    conns: &mut HashMap<MapData, ConnKey, ConnState>,
    pids: &[u32],
) -> Vec<ConnEvent> {
    let mut events = Vec::new();
    let mut next = 0u64;
    for &pid in pids {
        let sockets = procfs::tcp_sockets(pid);
        let listening: std::collections::HashSet<u16> = sockets
            .values()
            .filter(|s| s.state == procfs::TCP_LISTEN)
            .map(|s| s.local.port())
            .collect();
        let comm = procfs::comm(pid);
        for (fd, inode) in procfs::socket_fds(pid) {
            let Some(s) = sockets.get(&inode) else {
                continue;
            };
            if s.state != procfs::TCP_ESTABLISHED {
                continue;
            }
            let role = if listening.contains(&s.local.port()) {
                Role::Server
            } else {
                Role::Client
            };
            next += 1;
            let state = ConnState {
                conn_id: USER_CONN_ID_BIT | next,
                offsets: [0, 0],
                role: role as u8,
                tls: 0,
                _pad: [0; 6],
            };
            // NOEXIST: the kernel may have started tracking it since attach; keep its offsets.
            if conns
                .insert(ConnKey { tgid: pid, fd }, state, BPF_NOEXIST)
                .is_err()
            {
                continue;
            }
            events.push(ConnEvent {
                conn_id: state.conn_id,
                kind: Some(Kind::Open(Open {
                    pid,
                    comm: comm.clone(),
                    role: match role {
                        Role::Server => proto::capture::Role::Server as i32,
                        _ => proto::capture::Role::Client as i32,
                    },
                    local: records::address(Some(s.local)),
                    peer: records::address(Some(s.remote)),
                    mid_stream: true,
                    fd,
                    ts_unix_ns: unix_now_ns(),
                    ..Default::default()
                })),
            });
        }
    }
    events
}
