//! mTLS between components: processing accepts only clients with a certificate from its CA.
use std::{net::SocketAddr, time::Duration};

use oob_tests::{free_port, wait_for, Pipeline};
use proto::transaction::{transactions_client::TransactionsClient, Request, Transaction};
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity};

fn start_processing(
    dir: &std::path::Path,
    certs: &std::path::Path,
) -> (tokio::runtime::Runtime, SocketAddr, svc::shutdown::Trigger) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listen: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let cfg = processing::config::Config {
        listen,
        tls_dir: certs.join("processing"),
        data_dir: dir.join("data"),
        metrics_addr: "127.0.0.1:0".parse().unwrap(),
        stdout_events: false,
    };
    let (trigger, shutdown) = svc::shutdown::channel();
    rt.spawn(async move { processing::run::run(cfg, shutdown).await });
    assert!(
        wait_for(Duration::from_secs(10), || std::net::TcpStream::connect(
            listen
        )
        .ok())
        .is_some()
    );
    (rt, listen, trigger)
}

async fn submit(addr: SocketAddr, tls: ClientTlsConfig) -> Result<u64, String> {
    let channel = Endpoint::from_shared(format!("https://{addr}"))
        .map_err(|e| e.to_string())?
        .tls_config(tls)
        .map_err(|e| e.to_string())?
        .connect()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let t = Transaction {
        seq: 7,
        id: "test/1/0".into(),
        request: Some(Request {
            method: "GET".into(),
            uri: "/etc/passwd".into(),
            version: "HTTP/1.1".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut acks = TransactionsClient::new(channel)
        .submit(tokio_stream::iter(vec![t]))
        .await
        .map_err(|e| format!("{e:?}"))?
        .into_inner();
    match acks.message().await {
        Ok(Some(a)) => Ok(a.seq),
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn processing_refuses_clients_without_a_certificate_from_its_ca() {
    let dir = tempfile::tempdir().unwrap();
    let certs = Pipeline::certs(dir.path());
    let (rt, addr, trigger) = start_processing(dir.path(), &certs);
    let ca = Certificate::from_pem(std::fs::read(certs.join("aggregation/ca.crt")).unwrap());
    let own = Identity::from_pem(
        std::fs::read(certs.join("aggregation/tls.crt")).unwrap(),
        std::fs::read(certs.join("aggregation/tls.key")).unwrap(),
    );

    // No client certificate.
    let no_cert = ClientTlsConfig::new()
        .ca_certificate(ca.clone())
        .domain_name("processing");
    assert!(
        rt.block_on(submit(addr, no_cert)).is_err(),
        "a client without certificate was served"
    );

    // A certificate from another CA.
    let other = svc::devcerts::DevCa::new("some other CA").unwrap();
    let (cert, key) = other.issue("aggregation").unwrap();
    let foreign = ClientTlsConfig::new()
        .ca_certificate(ca.clone())
        .identity(Identity::from_pem(cert, key))
        .domain_name("processing");
    assert!(
        rt.block_on(submit(addr, foreign)).is_err(),
        "a certificate from another CA was accepted"
    );

    // The server name is checked too.
    let wrong_name = ClientTlsConfig::new()
        .ca_certificate(ca.clone())
        .identity(own.clone())
        .domain_name("not-processing");
    assert!(
        rt.block_on(submit(addr, wrong_name)).is_err(),
        "server name not verified"
    );

    // The right certificate works, and the transaction becomes an event.
    let good = ClientTlsConfig::new()
        .ca_certificate(ca)
        .identity(own)
        .domain_name("processing");
    assert_eq!(rt.block_on(submit(addr, good)), Ok(7));
    let store = processing::store::Store::open(&dir.path().join("data")).unwrap();
    let events = store.list(10, None).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].attack, "ptrav");
    trigger.fire();
    rt.shutdown_timeout(Duration::from_secs(2));
}
