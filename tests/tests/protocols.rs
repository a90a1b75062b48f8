//! Protocols through the real pipeline: HTTP/2 from curl, nghttp and h2load; PROXY v1/v2 from
//! haproxy; pipelined HTTP/1; an HTTP/2 connection that was open before the agent started.
use std::{
    io::{Read, Write},
    time::Duration,
};

use oob_tests::{curl, require_root, Cgroup, Haproxy, Nginx, NginxOptions, Pipeline};

const PATIENCE: Duration = Duration::from_secs(30);

fn h2_nginx(name: &str) -> (Cgroup, Nginx) {
    let cg = Cgroup::new(name);
    let nginx = Nginx::start_with(
        &cg,
        NginxOptions {
            http2: true,
            ..Default::default()
        },
    );
    (cg, nginx)
}

#[test]
fn http2_requests_from_curl_nghttp_and_h2load_are_rebuilt() {
    require_root();
    assert!(
        oob_tests::which("nghttp") && oob_tests::which("h2load"),
        "run `cargo xtask setup` (nghttp2-client)"
    );
    let (cg, nginx) = h2_nginx("oob-h2");
    let p = Pipeline::start(&cg);

    let (ok, version) = curl(&[
        "--http2-prior-knowledge",
        "-o",
        "/dev/null",
        "-w",
        "%{http_version}",
        &nginx.url("/curl/etc/passwd"),
    ]);
    assert!(ok && version == "2", "curl spoke HTTP/{version}");
    let out = std::process::Command::new("nghttp")
        .args(["-n", &nginx.url("/nghttp?file=..%2f..%2f..%2fetc%2fshadow")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "nghttp: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 50 requests, 10 concurrent streams on one connection.
    let out = std::process::Command::new("h2load")
        .args([
            "-n",
            "50",
            "-c",
            "1",
            "-m",
            "10",
            &nginx.url("/h2load?page=../../../../etc/passwd"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "h2load: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("50 succeeded"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let events = p.wait_events(52, PATIENCE);
    assert_eq!(
        events.len(),
        52,
        "{:#?}",
        events.iter().map(|e| &e.uri).collect::<Vec<_>>()
    );
    assert!(
        events
            .iter()
            .all(|e| e.protocol == "http2" && e.attack == "ptrav" && e.comm == "nginx"),
        "{events:#?}"
    );
    assert!(
        events.iter().all(|e| e.status == Some(200)),
        "responses paired per stream"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e.uri.starts_with("/h2load"))
            .count(),
        50
    );
    assert!(events.iter().any(|e| e.uri == "/curl/etc/passwd"));
    assert!(events.iter().any(|e| e.uri.starts_with("/nghttp")));
}

#[test]
fn haproxy_proxy_protocol_v1_and_v2_give_the_real_client_address() {
    require_root();
    let cg = Cgroup::new("oob-proxy");
    let nginx = Nginx::start_with(
        &cg,
        NginxOptions {
            proxy_protocol: true,
            ..Default::default()
        },
    );
    let v1 = Haproxy::start(nginx.port, "send-proxy");
    let v2 = Haproxy::start(nginx.port, "send-proxy-v2");
    let p = Pipeline::start(&cg);

    let mut expected = Vec::new();
    for (lb, path) in [(&v1, "/v1/etc/passwd"), (&v2, "/v2/etc/passwd")] {
        let (ok, local_port) = curl(&[
            "-o",
            "/dev/null",
            "-w",
            "%{local_port}",
            &format!("http://127.0.0.1:{}{path}", lb.port),
        ]);
        assert!(ok, "curl through haproxy");
        expected.push((path, format!("127.0.0.1:{local_port}")));
    }
    let events = p.wait_events(2, PATIENCE);
    assert_eq!(events.len(), 2, "{events:#?}");
    for (path, client) in expected {
        let e = events
            .iter()
            .find(|e| e.uri == path)
            .unwrap_or_else(|| panic!("no event for {path}: {events:#?}"));
        assert_eq!(
            e.client, client,
            "curl's address from the PROXY header, not haproxy's"
        );
        assert_eq!(e.status, Some(200));
    }
}

#[test]
fn pipelined_requests_sent_in_one_write_are_all_rebuilt() {
    require_root();
    let cg = Cgroup::new("oob-pipeline");
    let nginx = Nginx::start(&cg);
    let p = Pipeline::start(&cg);

    let mut s = std::net::TcpStream::connect(("127.0.0.1", nginx.port)).unwrap();
    let body = "file=../../../etc/passwd";
    let wire = format!(
        "GET /p1?f=../../etc/passwd HTTP/1.1\r\nHost: app\r\n\r\n\
         POST /p2 HTTP/1.1\r\nHost: app\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}\
         GET /p3/etc/shadow HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(wire.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert_eq!(
        answer.matches("HTTP/1.1 200").count(),
        3,
        "nginx answered all three: {answer}"
    );

    let events = p.wait_events(3, PATIENCE);
    let uris: Vec<&str> = events.iter().map(|e| e.uri.as_str()).collect();
    assert_eq!(uris, ["/p1?f=../../etc/passwd", "/p2", "/p3/etc/shadow"]);
    assert_eq!(events[1].method, "POST");
    assert!(
        events.windows(2).all(|w| w[0].client == w[1].client),
        "one connection"
    );
}

#[test]
fn an_http2_connection_open_before_the_agent_started_is_still_rebuilt() {
    require_root();
    let (cg, nginx) = h2_nginx("oob-h2-join");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let port = nginx.port;
    let request = |path: String| {
        http::Request::builder()
            .uri(format!("http://127.0.0.1:{port}{path}"))
            .header("user-agent", "oob-test-client/1.0")
            .header("x-api-key", "k-123")
            .body(())
            .unwrap()
    };
    // Before the agent: the HPACK dynamic tables fill with entries capture will never see.
    let mut client = rt.block_on(async {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let (client, conn) = h2::client::handshake(tcp).await.unwrap();
        tokio::spawn(conn);
        let mut client = client.ready().await.unwrap();
        let (resp, _) = client
            .send_request(request("/before".into()), true)
            .unwrap();
        assert_eq!(resp.await.unwrap().status(), 200);
        client
    });

    let p = Pipeline::start(&cg);
    let client = rt.block_on(async move {
        for i in 0..5 {
            client = client.ready().await.unwrap();
            let (resp, _) = client
                .send_request(
                    request(format!("/after/{i}?file=../../../etc/passwd")),
                    true,
                )
                .unwrap();
            assert_eq!(resp.await.unwrap().status(), 200);
        }
        client
    });
    let events = p.wait_events(5, PATIENCE);
    let mut uris: Vec<&str> = events.iter().map(|e| e.uri.as_str()).collect();
    uris.sort();
    let expected: Vec<String> = (0..5)
        .map(|i| format!("/after/{i}?file=../../../etc/passwd"))
        .collect();
    assert_eq!(
        uris,
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        events
            .iter()
            .all(|e| e.protocol == "http2" && e.method == "GET"),
        "{events:#?}"
    );
    drop(client);
}

#[test]
fn tls_plaintext_is_captured_through_openssl_for_http1_and_http2() {
    require_root();
    let cg = Cgroup::new("oob-tls");
    let nginx = Nginx::start_with(
        &cg,
        NginxOptions {
            tls: true,
            http2: true,
            ..Default::default()
        },
    );
    let p = Pipeline::start(&cg);

    let (ok, v) = curl(&[
        "-k",
        "--http1.1",
        "-o",
        "/dev/null",
        "-w",
        "%{http_version}",
        &nginx.https_url("/tls1/etc/passwd"),
    ]);
    assert!(ok && v == "1.1", "curl over TLS spoke HTTP/{v}");
    let (ok, v) = curl(&[
        "-k",
        "--http2",
        "-o",
        "/dev/null",
        "-w",
        "%{http_version}",
        &nginx.https_url("/tls2?file=../../../etc/shadow"),
    ]);
    assert!(ok && v == "2", "curl over TLS spoke HTTP/{v}");
    assert!(
        curl(&[
            "-k",
            "--http2",
            "-o",
            "/dev/null",
            &nginx.https_url("/benign?q=hello")
        ])
        .0
    );

    let events = p.wait_events(2, PATIENCE);
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(
        (events[0].uri.as_str(), events[0].protocol.as_str()),
        ("/tls1/etc/passwd", "http1")
    );
    assert_eq!(
        (events[1].uri.as_str(), events[1].protocol.as_str()),
        ("/tls2?file=../../../etc/shadow", "http2")
    );
    assert!(
        events
            .iter()
            .all(|e| e.status == Some(200) && e.comm == "nginx"),
        "{events:#?}"
    );
    // Nothing more shows up (handshake bytes are not mistaken for requests).
    let more = oob_tests::wait_for(Duration::from_secs(2), || {
        (p.events().len() > 2).then_some(())
    });
    assert!(more.is_none(), "{:#?}", p.events());
}

#[test]
fn a_tls_server_started_after_the_agent_is_captured_once_its_libssl_is_found() {
    require_root();
    let cg = Cgroup::new("oob-tls-late");
    let p = Pipeline::start(&cg);
    let nginx = Nginx::start_with(
        &cg,
        NginxOptions {
            tls: true,
            ..Default::default()
        },
    );

    // The agent rescans the cgroup periodically; keep sending until one request is seen.
    let mut i = 0;
    let seen = oob_tests::wait_for(PATIENCE, || {
        i += 1;
        curl(&[
            "-k",
            "-o",
            "/dev/null",
            &nginx.https_url(&format!("/late/{i}/etc/passwd")),
        ]);
        std::thread::sleep(Duration::from_millis(500));
        p.events().into_iter().find(|e| e.uri.starts_with("/late/"))
    });
    let e = seen.expect("a request to the late TLS server was captured");
    assert_eq!(e.attack, "ptrav");
    assert_eq!(e.comm, "nginx");
}
