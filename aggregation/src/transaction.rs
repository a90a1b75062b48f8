//! Rebuilt exchange + connection metadata → wire Transaction for processing.
use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
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

/// Header fields and body as slices of the message's one buffer: no copy, no allocation per
/// field.
fn headers_and_body(h: Headers) -> (Vec<Header>, Bytes) {
    let mut out = Vec::with_capacity(h.len());
    let (fields, body) = h.into_shared();
    out.extend(fields.map(|(name, value)| Header { name, value }));
    (out, body)
}

fn request(r: Request) -> tx::Request {
    let (headers, body) = headers_and_body(r.headers);
    tx::Request {
        method: r.method.into_owned(),
        uri: r.uri,
        version: r.version.to_owned(),
        headers,
        body,
        body_truncated: r.body_truncated,
        body_len: r.body_len,
    }
}

fn response(r: Response) -> tx::Response {
    let (headers, body) = headers_and_body(r.headers);
    tx::Response {
        status: u32::from(r.status),
        version: r.version.to_owned(),
        headers,
        body,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::ConnMeta;
    use crate::exchange::Exchange;

    #[test]
    fn wire_headers_are_the_message_fields() {
        let request = Request {
            method: "GET".into(),
            uri: "/a".into(),
            version: "HTTP/2",
            headers: [("host", "example.com"), ("x-empty", ""), ("cookie", "a=1")]
                .into_iter()
                .collect(),
            ..Request::default()
        };
        let response = Response {
            status: 200,
            version: "HTTP/2",
            headers: [("grpc-status", "0")].into_iter().collect(),
            ..Response::default()
        };
        let r = Rebuilt {
            conn_id: 1,
            index: 2,
            meta: ConnMeta::default(),
            exchange: Exchange {
                protocol: Protocol::Http2,
                request,
                response: Some(response),
                proxied_client: None,
                incomplete_context: false,
            },
        };
        let t = to_wire("node", r, 0);
        let pairs = |h: &[Header]| -> Vec<(Vec<u8>, Vec<u8>)> {
            h.iter()
                .map(|h| (h.name.to_vec(), h.value.to_vec()))
                .collect()
        };
        let req = t.request.expect("request");
        assert_eq!(
            pairs(&req.headers),
            [
                (b"host".to_vec(), b"example.com".to_vec()),
                (b"x-empty".to_vec(), Vec::new()),
                (b"cookie".to_vec(), b"a=1".to_vec()),
            ]
        );
        let resp = t.response.expect("response");
        assert_eq!(
            pairs(&resp.headers),
            [(b"grpc-status".to_vec(), b"0".to_vec())]
        );
    }
}
