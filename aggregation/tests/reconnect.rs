//! The Capture service over a real gRPC connection: an agent whose stream breaks in the middle of
//! a request reconnects, and the request is still rebuilt whole.
use aggregation::{conn::TableLimits, forward::Fanout, metrics::Metrics, server::CaptureService};
use proto::capture::{
    capture_client::CaptureClient, capture_server::CaptureServer, conn_event::Kind, Address,
    ChunkBatch, ConnEvent, Data, Direction, Open, Role,
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};

fn batch(seq: u64, events: Vec<ConnEvent>) -> ChunkBatch {
    ChunkBatch {
        seq,
        node: "node-a".into(),
        events,
        losses: Default::default(),
    }
}

fn data(offset: u64, payload: &[u8]) -> ConnEvent {
    ConnEvent {
        conn_id: 7,
        kind: Some(Kind::Data(Data {
            direction: Direction::Ingress as i32,
            offset,
            payload: payload.to_vec(),
            ..Default::default()
        })),
    }
}

/// Sends `batches` on one stream, waits for every ack and for the server to end the stream.
async fn one_stream(
    client: &mut CaptureClient<tonic::transport::Channel>,
    batches: Vec<ChunkBatch>,
) {
    let (tx, rx) = mpsc::channel(8);
    let n = batches.len();
    for b in batches {
        tx.send(b).await.unwrap();
    }
    let mut acks = client
        .stream(ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    for _ in 0..n {
        assert!(acks.message().await.unwrap().is_some(), "acknowledged");
    }
    drop(tx);
    // The server closes its side once it has parked the table.
    assert!(acks.message().await.unwrap().is_none());
}

#[tokio::test]
async fn a_request_split_across_two_agent_streams_is_rebuilt_whole() {
    let (outbox, mut transactions) = svc::reliable::outbox(16, svc::reliable::Metrics::default());
    let service = CaptureService::new(
        TableLimits {
            response_timeout: std::time::Duration::from_secs(1),
            ..Default::default()
        },
        Fanout::new(vec![outbox]),
        Metrics::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(CaptureServer::new(service))
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    let mut client = CaptureClient::connect(format!("http://{addr}"))
        .await
        .unwrap();

    let request =
        b"POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: 24\r\n\r\nfile=../../../etc/passwd";
    let (first, second) = request.split_at(50);
    let open = ConnEvent {
        conn_id: 7,
        kind: Some(Kind::Open(Open {
            pid: 1,
            comm: "app".into(),
            role: Role::Server as i32,
            peer: Some(Address {
                ip: vec![127, 0, 0, 9],
                port: 4000,
            }),
            ..Default::default()
        })),
    };
    one_stream(&mut client, vec![batch(1, vec![open, data(0, first)])]).await;
    // The agent reconnects and goes on where it stopped; the stream stays open (its sweep sends
    // the request on once the response timeout passes without a response).
    let (tx, rx) = mpsc::channel(8);
    tx.send(batch(1, vec![data(first.len() as u64, second)]))
        .await
        .unwrap();
    let mut acks = client
        .stream(ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    assert!(acks.message().await.unwrap().is_some());

    let t = tokio::time::timeout(std::time::Duration::from_secs(10), transactions.recv())
        .await
        .expect("the request completes (response timeout sends it alone)")
        .expect("a transaction");
    let req = t.request.expect("request");
    assert_eq!((req.method.as_str(), req.uri.as_str()), ("POST", "/upload"));
    assert_eq!(&req.body[..], b"file=../../../etc/passwd");
    assert!(!t.incomplete_context, "nothing was lost");
    assert_eq!(t.client.map(|c| c.ip), Some(vec![127, 0, 0, 9]));
    drop(tx);
}
