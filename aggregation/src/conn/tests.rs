use proto::capture::{Close, Data};

use super::*;

const SEC: Duration = Duration::from_secs(1);

fn open(conn_id: u64, mid_stream: bool) -> ConnEvent {
    ConnEvent {
        conn_id,
        kind: Some(Kind::Open(Open {
            pid: 42,
            comm: "nginx".into(),
            role: Role::Server as i32,
            local: Some(Address {
                ip: vec![127, 0, 0, 1],
                port: 8080,
            }),
            peer: Some(Address {
                ip: vec![127, 0, 0, 2],
                port: 50000,
            }),
            mid_stream,
            ..Default::default()
        })),
    }
}

fn data(conn_id: u64, direction: Direction, offset: u64, payload: &[u8]) -> ConnEvent {
    ConnEvent {
        conn_id,
        kind: Some(Kind::Data(Data {
            direction: direction as i32,
            offset,
            payload: payload.to_vec(),
            ..Default::default()
        })),
    }
}

fn close(conn_id: u64) -> ConnEvent {
    ConnEvent {
        conn_id,
        kind: Some(Kind::Close(Close::default())),
    }
}

#[test]
fn a_server_connection_yields_requests_with_its_endpoints() {
    let mut t = ConnTable::new(TableLimits::default());
    let mut out = Vec::new();
    t.apply(open(7, false), SEC, &mut out);
    let req = b"GET /etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n";
    t.apply(data(7, Direction::Ingress, 0, req), SEC, &mut out);
    t.apply(
        data(
            7,
            Direction::Egress,
            0,
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
        ),
        SEC,
        &mut out,
    );
    assert_eq!(out.len(), 1, "{out:?}");
    let r = &out[0];
    assert_eq!(r.exchange.request.uri, "/etc/passwd");
    assert_eq!(r.exchange.response.as_ref().map(|r| r.status), Some(404));
    let (client, server) = r.meta.endpoints();
    assert_eq!(client, Some("127.0.0.2:50000".parse().unwrap()));
    assert_eq!(server, Some("127.0.0.1:8080".parse().unwrap()));
    assert_eq!(r.meta.comm, "nginx");
    t.apply(close(7), SEC, &mut out);
    assert!(t.is_empty());
    assert_eq!(t.stats.closed, 1);
}

#[test]
fn swapped_and_resent_chunks_rebuild_the_same_requests() {
    let req = b"POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n\r\n";
    let mut t = ConnTable::new(TableLimits::default());
    let mut out = Vec::new();
    t.apply(open(1, false), SEC, &mut out);
    t.apply(data(1, Direction::Ingress, 20, &req[20..]), SEC, &mut out);
    t.apply(data(1, Direction::Ingress, 0, &req[..20]), SEC, &mut out);
    t.apply(data(1, Direction::Ingress, 0, &req[..30]), SEC, &mut out);
    t.apply(close(1), SEC, &mut out);
    let uris: Vec<_> = out
        .iter()
        .map(|r| r.exchange.request.uri.as_str())
        .collect();
    assert_eq!(uris, ["/a", "/b"]);
    assert_eq!(out[0].exchange.request.body(), b"hello");
    assert_eq!(t.stats.duplicate_bytes, 30);
}

#[test]
fn data_without_open_is_still_parsed_and_counted() {
    let mut t = ConnTable::new(TableLimits::default());
    let mut out = Vec::new();
    t.apply(
        data(9, Direction::Ingress, 0, b"GET /x HTTP/1.1\r\n\r\n"),
        SEC,
        &mut out,
    );
    t.apply(close(9), SEC, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(t.stats.unknown_connections, 1);
}

#[test]
fn idle_connections_are_swept_and_unanswered_requests_sent_alone() {
    let limits = TableLimits {
        idle_timeout: 10 * SEC,
        response_timeout: 2 * SEC,
        ..Default::default()
    };
    let mut t = ConnTable::new(limits);
    let mut out = Vec::new();
    t.apply(open(3, false), SEC, &mut out);
    t.apply(
        data(3, Direction::Ingress, 0, b"GET /slow HTTP/1.1\r\n\r\n"),
        SEC,
        &mut out,
    );
    assert!(out.is_empty(), "waits for the response");
    t.sweep(4 * SEC, &mut out);
    assert_eq!(out.len(), 1, "sent without response after response_timeout");
    assert!(out[0].exchange.response.is_none());
    t.sweep(20 * SEC, &mut out);
    assert!(t.is_empty());
    assert_eq!(t.stats.evicted_idle, 1);
}

#[test]
fn the_connection_limit_evicts_the_longest_idle() {
    let limits = TableLimits {
        max_connections: 2,
        ..Default::default()
    };
    let mut t = ConnTable::new(limits);
    let mut out = Vec::new();
    t.apply(open(1, false), SEC, &mut out);
    t.apply(open(2, false), 2 * SEC, &mut out);
    t.apply(open(3, false), 3 * SEC, &mut out);
    assert_eq!(t.len(), 2);
    assert_eq!(t.stats.evicted_limit, 1);
}
