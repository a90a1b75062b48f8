//! Rebuilt exchange + connection metadata → wire Transaction for processing.
use std::net::{IpAddr, SocketAddr};

use proto::transaction::{self as tx, Endpoint, Header, Source, Transaction};

use crate::{
    conn::Rebuilt,
    exchange::{Headers, Protocol, Request, Response},
};

fn endpoint(a: Option<SocketAddr>) -> Option<Endpoint> {
    a.map(|a| Endpoint {
        ip: match a.ip() {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        },
        port: u32::from(a.port()),
    })
}

fn headers(h: &Headers) -> Vec<Header> {
    h.iter()
        .map(|(n, v)| Header {
            name: n.to_vec(),
            value: v.to_vec(),
        })
        .collect()
}

fn request(r: Request) -> tx::Request {
    tx::Request {
        method: r.method.into_owned(),
        uri: r.uri,
        version: r.version.to_owned(),
        headers: headers(&r.headers),
        body: r.body,
        body_truncated: r.body_truncated,
        body_len: r.body_len,
    }
}

fn response(r: Response) -> tx::Response {
    tx::Response {
        status: u32::from(r.status),
        version: r.version.to_owned(),
        headers: headers(&r.headers),
        body: r.body,
        body_truncated: r.body_truncated,
        body_len: r.body_len,
    }
}

pub fn to_wire(node: &str, r: Rebuilt, ts_unix_ns: u64) -> Transaction {
    let (client, server) = r.meta.endpoints();
    let client = r.exchange.proxied_client.or(client);
    Transaction {
        seq: 0,
        id: format!("{node}/{:x}/{}", r.conn_id, r.index),
        protocol: match r.exchange.protocol {
            Protocol::Http1 => tx::Protocol::Http1 as i32,
            Protocol::Http2 => tx::Protocol::Http2 as i32,
        },
        request: Some(request(r.exchange.request)),
        response: r.exchange.response.map(response),
        client: endpoint(client),
        server: endpoint(server),
        source: Some(Source {
            node: node.to_owned(),
            pid: r.meta.pid,
            comm: r.meta.comm,
            cgroup_id: r.meta.cgroup_id,
            pod: r.meta.pod,
            namespace: r.meta.namespace,
            container: r.meta.container,
        }),
        ts_unix_ns,
        incomplete_context: r.exchange.incomplete_context,
    }
}

pub fn set_seq(t: &mut Transaction, seq: u64) {
    t.seq = seq;
}
