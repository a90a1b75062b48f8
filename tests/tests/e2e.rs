//! The whole pipeline against a real nginx: curl → nginx (captured by eBPF) → agent → mTLS gRPC →
//! aggregation → mTLS gRPC → processing → event store.
use std::time::Duration;

use oob_tests::{curl, require_root, wait_for, Cgroup, Nginx, Pipeline};

const PATIENCE: Duration = Duration::from_secs(30);

#[test]
fn each_traversal_request_is_one_ptrav_event_and_benign_requests_none() {
    require_root();
    let cg = Cgroup::new("oob-e2e-ptrav");
    let nginx = Nginx::start(&cg);
    let p = Pipeline::start(&cg);

    for path in [
        "/",
        "/api/users?id=42&sort=name",
        "/search?q=select+the+best+route+from+a+list",
    ] {
        assert!(
            curl(&["-o", "/dev/null", &nginx.url(path)]).0,
            "benign {path}"
        );
    }
    let attacks = [
        "/etc/passwd",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
        "/download?file=..%252f..%252fetc%252fshadow",
    ];
    for path in attacks {
        assert!(
            curl(&["-o", "/dev/null", &nginx.url(path)]).0,
            "attack {path}"
        );
    }
    // A body: Content-Length framing.
    assert!(
        curl(&[
            "-o",
            "/dev/null",
            "-d",
            "name=report&file=../../../../etc/passwd",
            &nginx.url("/upload")
        ])
        .0
    );

    let events = p.wait_events(4, PATIENCE);
    assert_eq!(
        events.len(),
        4,
        "one event per attack request, none for benign ones: {events:#?}"
    );
    let uris: Vec<&str> = events.iter().map(|e| e.uri.as_str()).collect();
    assert_eq!(uris, [attacks[0], attacks[1], attacks[2], "/upload"]);
    for e in &events {
        assert_eq!(e.attack, "ptrav", "{e:?}");
        assert_eq!(e.comm, "nginx", "the process that received it");
        assert!(e.client.starts_with("127.0.0.1:"), "curl's address: {e:?}");
        assert_ne!(
            e.client,
            format!("127.0.0.1:{}", nginx.port),
            "client, not server: {e:?}"
        );
        assert_eq!(e.server, format!("127.0.0.1:{}", nginx.port));
        assert!(e.status.is_some(), "response paired: {e:?}");
    }
    assert_eq!(events[0].status, Some(200));
    // nginx refuses a path that climbs above its root.
    assert_eq!(events[1].status, Some(400));
    assert_eq!(events[3].method, "POST");
    assert!(events[..3].iter().all(|e| e.method == "GET"));
    let body_point = &events[3].points[0]["point"];
    assert_eq!(body_point[0], "post", "found in the body: {body_point}");
}

#[test]
fn two_hundred_keepalive_requests_on_one_connection_are_all_rebuilt() {
    require_root();
    let cg = Cgroup::new("oob-e2e-keepalive");
    let nginx = Nginx::start(&cg);
    let p = Pipeline::start(&cg);

    // curl's URL globbing sends all 200 over one keep-alive connection.
    let (ok, connects) = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{num_connects}\\n",
        &nginx.url("/k/[1-200]?file=../../../etc/passwd"),
    ]);
    assert!(ok);
    let new_connections: usize = connects
        .lines()
        .filter_map(|l| l.trim().parse::<usize>().ok())
        .sum();
    assert_eq!(new_connections, 1, "curl reused one connection");

    let events = p.wait_events(200, PATIENCE);
    let mut uris: Vec<String> = events.iter().map(|e| e.uri.clone()).collect();
    uris.sort();
    uris.dedup();
    assert_eq!(
        uris.len(),
        200,
        "every request rebuilt once; got {} events",
        events.len()
    );
    assert_eq!(events.len(), 200);
    let clients: std::collections::HashSet<&str> =
        events.iter().map(|e| e.client.as_str()).collect();
    assert_eq!(clients.len(), 1, "all on one connection");
}

#[test]
fn traffic_outside_the_selected_cgroup_is_not_captured() {
    require_root();
    let selected = Cgroup::new("oob-e2e-selected");
    let other = Cgroup::new("oob-e2e-other");
    let nginx_other = Nginx::start(&other);
    let nginx = Nginx::start(&selected);
    let p = Pipeline::start(&selected);

    assert!(curl(&["-o", "/dev/null", &nginx_other.url("/etc/passwd")]).0);
    assert!(curl(&["-o", "/dev/null", &nginx.url("/etc/shadow")]).0);
    let events = p.wait_events(1, PATIENCE);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].uri, "/etc/shadow");
    // The unselected request went first; give it time to show up anyway, should it leak.
    let leaked = wait_for(Duration::from_secs(2), || {
        (p.events().len() > 1).then_some(())
    });
    assert!(
        leaked.is_none(),
        "a request to an unselected cgroup was captured: {:?}",
        p.events()
    );
}

#[test]
fn transactions_spread_over_processing_replicas_one_connection_per_replica() {
    require_root();
    let cg = Cgroup::new("oob-e2e-replicas");
    let nginx = Nginx::start(&cg);
    let p = Pipeline::start_replicas(&cg, 2);

    // 16 connections with one attack each, and one keep-alive connection with 10.
    for i in 0..16 {
        assert!(curl(&["-o", "/dev/null", &nginx.url(&format!("/c{i}/etc/passwd"))]).0);
    }
    assert!(
        curl(&[
            "-o",
            "/dev/null",
            &nginx.url("/ka/[1-10]?f=../../../etc/shadow")
        ])
        .0
    );

    let events = p.wait_events(26, PATIENCE);
    assert_eq!(events.len(), 26, "every transaction analysed once");
    let (a, b) = (p.replica_events(0), p.replica_events(1));
    assert!(
        !a.is_empty() && !b.is_empty(),
        "both replicas got work: {} / {}",
        a.len(),
        b.len()
    );
    let keepalive: Vec<usize> = [&a, &b]
        .iter()
        .map(|r| r.iter().filter(|e| e.uri.starts_with("/ka/")).count())
        .collect();
    assert!(
        keepalive.contains(&10) && keepalive.contains(&0),
        "one connection, one replica: {keepalive:?}"
    );
}
