//! Wire transaction → the request detection sees, plus the event context.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use proto::transaction::{Endpoint, Protocol, Transaction};

use crate::{event::Context, model::HttpRequest};

fn endpoint(e: &Option<Endpoint>) -> String {
    let Some(e) = e else { return String::new() };
    let ip = match e.ip.len() {
        4 => <[u8; 4]>::try_from(e.ip.as_slice())
            .map(|b| IpAddr::V4(Ipv4Addr::from(b)))
            .ok(),
        16 => <[u8; 16]>::try_from(e.ip.as_slice())
            .map(|b| IpAddr::V6(Ipv6Addr::from(b)))
            .ok(),
        _ => None,
    };
    match (ip, u16::try_from(e.port)) {
        (Some(ip), Ok(port)) => SocketAddr::new(ip, port).to_string(),
        _ => String::new(),
    }
}

pub fn request(t: &Transaction) -> HttpRequest {
    let Some(r) = &t.request else {
        return HttpRequest::default();
    };
    HttpRequest {
        method: r.method.clone(),
        uri: r.uri.clone(),
        version: r.version.clone(),
        headers: r
            .headers
            .iter()
            .map(|h| {
                (
                    String::from_utf8_lossy(&h.name).into_owned(),
                    h.value.to_vec(),
                )
            })
            .collect(),
        body: r.body.to_vec(),
    }
}

pub fn context(t: &Transaction) -> Context {
    let src = t.source.clone().unwrap_or_default();
    Context {
        transaction_id: t.id.clone(),
        ts_unix_ms: (t.ts_unix_ns / 1_000_000) as i64,
        client: endpoint(&t.client),
        server: endpoint(&t.server),
        node: src.node,
        pid: src.pid,
        comm: src.comm,
        pod: src.pod,
        namespace: src.namespace,
        protocol: match Protocol::try_from(t.protocol) {
            Ok(Protocol::Http1) => "http1".into(),
            Ok(Protocol::Http2) => "http2".into(),
            _ => "unknown".into(),
        },
        status: t
            .response
            .as_ref()
            .and_then(|r| u16::try_from(r.status).ok()),
        incomplete_context: t.incomplete_context,
    }
}
