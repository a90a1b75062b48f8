//! A real HTTP/2 client and server (the `h2` crate) talking over an in-memory pipe, with every write
//! recorded: the byte streams a capture would see, with Huffman-coded HPACK as real peers send it.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};

use crate::exchange::Side;

pub(crate) type Log = Arc<Mutex<Vec<(Side, Vec<u8>)>>>;

struct Recorder {
    io: DuplexStream,
    side: Side,
    log: Log,
}

impl AsyncRead for Recorder {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Recorder {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            let side = self.side;
            self.log
                .lock()
                .expect("log")
                .push((side, buf[..n].to_vec()));
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// One request to send and the response the server gives.
#[derive(Clone)]
pub(crate) struct Call {
    pub method: &'static str,
    pub uri: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub status: u16,
    pub resp_headers: Vec<(&'static str, String)>,
    pub resp_body: Vec<u8>,
    pub trailers: Vec<(&'static str, String)>,
}

/// A browser-like GET.
pub(crate) fn browser_get(path: &str, i: usize) -> Call {
    Call {
        method: "GET",
        uri: format!("https://shop.example.com{path}"),
        headers: vec![
            ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36".into()),
            ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8".into()),
            ("accept-language", "en-US,en;q=0.9,de;q=0.8".into()),
            ("accept-encoding", "gzip, deflate, br, zstd".into()),
            ("cookie", format!("session=8f14e45fceea167a5a36dedd4bea2543; cart={i}; _ga=GA1.2.1234567890.1700000000")),
            ("referer", "https://shop.example.com/".into()),
        ],
        body: Vec::new(),
        status: 200,
        resp_headers: vec![
            ("content-type", "text/html; charset=utf-8".into()),
            ("cache-control", "private, max-age=0".into()),
            ("set-cookie", format!("seen={i}; Path=/; HttpOnly")),
        ],
        resp_body: format!("<html><body>page {i} {}</body></html>", "x".repeat(200 + i % 50)).into_bytes(),
        trailers: Vec::new(),
    }
}

/// A gRPC unary call: POST, length-prefixed message, `grpc-status` trailers.
pub(crate) fn grpc_call(i: usize) -> Call {
    let msg =
        format!("{{\"user\":\"u{i}\",\"query\":\"select * from t where id={i}\"}}").into_bytes();
    let mut body = vec![0u8];
    body.extend_from_slice(&(msg.len() as u32).to_be_bytes());
    body.extend_from_slice(&msg);
    Call {
        method: "POST",
        uri: "http://api.internal:50051/search.v1.SearchService/Query".into(),
        headers: vec![
            ("content-type", "application/grpc".into()),
            ("te", "trailers".into()),
            ("grpc-timeout", "5S".into()),
            ("user-agent", "grpc-go/1.70.0".into()),
            ("x-request-id", format!("req-{i:08}")),
        ],
        body,
        status: 200,
        resp_headers: vec![("content-type", "application/grpc".into())],
        resp_body: vec![0, 0, 0, 0, 2, 8, 1],
        trailers: vec![("grpc-status", "0".into()), ("grpc-message", "".into())],
    }
}

/// Runs `calls` over one connection, `concurrency` in flight at a time; returns the recorded writes.
pub(crate) fn record(calls: &[Call], concurrency: usize) -> Vec<(Side, Vec<u8>)> {
    let log: Log = Arc::default();
    let (c, s) = tokio::io::duplex(1 << 20);
    let client_io = Recorder {
        io: c,
        side: Side::Client,
        log: log.clone(),
    };
    let server_io = Recorder {
        io: s,
        side: Side::Server,
        log: log.clone(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let calls = calls.to_vec();
    let by_path: Vec<Call> = calls.clone();
    rt.block_on(async move {
        let server = tokio::spawn(async move {
            let mut conn = h2::server::handshake(server_io)
                .await
                .expect("server handshake");
            while let Some(r) = conn.accept().await {
                let (req, mut respond) = r.expect("accept");
                let call = by_path
                    .iter()
                    .find(|c| {
                        req.headers().get("x-call").and_then(|v| v.to_str().ok()) == Some(&c.uri)
                    })
                    .cloned()
                    .unwrap_or_else(|| by_path[0].clone());
                let idx: usize = req
                    .headers()
                    .get("x-idx")
                    .and_then(|v| v.to_str().ok()?.parse().ok())
                    .unwrap_or(0);
                let mut body = req.into_body();
                tokio::spawn(async move {
                    while let Some(d) = body.data().await {
                        let d = d.expect("data");
                        let _ = body.flow_control().release_capacity(d.len());
                    }
                    let mut resp = http::Response::builder().status(call.status);
                    for (n, v) in &call.resp_headers {
                        resp = resp.header(*n, v.as_str());
                    }
                    let resp = resp
                        .header("x-idx", idx.to_string())
                        .body(())
                        .expect("response");
                    let end = call.resp_body.is_empty() && call.trailers.is_empty();
                    let mut send = respond.send_response(resp, end).expect("send response");
                    if !call.resp_body.is_empty() {
                        send.send_data(
                            Bytes::from(call.resp_body.clone()),
                            call.trailers.is_empty(),
                        )
                        .expect("data");
                    }
                    if !call.trailers.is_empty() {
                        let mut t = http::HeaderMap::new();
                        for (n, v) in &call.trailers {
                            t.insert(*n, v.parse().expect("trailer value"));
                        }
                        send.send_trailers(t).expect("trailers");
                    }
                });
            }
        });
        let (h2c, connection) = h2::client::handshake(client_io)
            .await
            .expect("client handshake");
        let conn_task = tokio::spawn(async move {
            let _ = connection.await;
        });
        for chunk in calls.chunks(concurrency.max(1)) {
            let mut pending = Vec::new();
            for (i, call) in chunk.iter().enumerate() {
                let mut h2c = h2c.clone().ready().await.expect("ready");
                let mut req = http::Request::builder()
                    .method(call.method)
                    .uri(call.uri.as_str());
                for (n, v) in &call.headers {
                    req = req.header(*n, v.as_str());
                }
                let req = req
                    .header("x-call", call.uri.as_str())
                    .header("x-idx", i.to_string())
                    .body(())
                    .expect("request");
                let (resp, mut stream) = h2c.send_request(req, call.body.is_empty()).expect("send");
                if !call.body.is_empty() {
                    stream
                        .send_data(Bytes::from(call.body.clone()), true)
                        .expect("send body");
                }
                pending.push(resp);
            }
            for resp in pending {
                let resp = resp.await.expect("response");
                let mut body = resp.into_body();
                while let Some(d) = body.data().await {
                    let d = d.expect("resp data");
                    let _ = body.flow_control().release_capacity(d.len());
                }
                let _ = body.trailers().await;
            }
        }
        drop(h2c);
        conn_task.abort();
        server.abort();
    });
    let log = log.lock().expect("log").clone();
    log
}
