use std::sync::{Arc, Mutex};

use super::*;

#[derive(Clone, Debug, PartialEq)]
struct Item {
    seq: u64,
    body: u32,
}

fn set_seq(item: &mut Item, seq: u64) {
    item.seq = seq;
}

/// A peer that dies after acknowledging `ack_before_failure` items on its first connection,
/// then behaves. Everything must arrive at least once, in order of first delivery.
#[tokio::test]
async fn resends_unacknowledged_items_after_the_peer_fails() {
    let received: Arc<Mutex<Vec<u32>>> = Arc::default();
    let attempts = Arc::new(Mutex::new(0u32));
    let metrics = Metrics::default();
    let (outbox, rx) = outbox::<Item>(100, metrics.clone());
    for body in 0..20 {
        assert!(outbox.offer(Item { seq: 0, body }));
    }
    drop(outbox);
    let recv = received.clone();
    let att = attempts.clone();
    let connect = move |mut stream: ReceiverStream<Item>| {
        let recv = recv.clone();
        let att = att.clone();
        async move {
            let attempt = {
                let mut a = att.lock().unwrap();
                *a += 1;
                *a
            };
            if attempt == 2 {
                anyhow::bail!("connection refused");
            }
            let (tx, rx) = mpsc::channel(100);
            tokio::spawn(async move {
                let mut n = 0;
                while let Some(item) = stream.next().await {
                    recv.lock().unwrap().push(item.body);
                    n += 1;
                    if attempt == 1 && n == 5 {
                        // Acknowledge 3 of the 5 received, then fail.
                        let _ = tx.send(Ok(3)).await;
                        let _ = tx.send(Err(tonic::Status::unavailable("gone"))).await;
                        return;
                    }
                    let _ = tx.send(Ok(item.seq)).await;
                }
            });
            Ok(Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx)) as AckStream)
        }
    };
    let limits = Limits {
        max_unacked: 8,
        backoff_min: Duration::from_millis(1),
        backoff_max: Duration::from_millis(5),
    };
    tokio::time::timeout(
        Duration::from_secs(5),
        run(rx, set_seq, connect, limits, metrics.clone()),
    )
    .await
    .expect("sender finished");
    let got = received.lock().unwrap().clone();
    let mut unique = got.clone();
    unique.dedup();
    unique.sort();
    unique.dedup();
    assert_eq!(unique, (0..20).collect::<Vec<_>>(), "every item delivered");
    assert!(got.len() > 20, "items 4.. were sent twice: {got:?}");
    assert_eq!(metrics.acked.get(), 20);
    assert!(metrics.resent.get() >= 2);
    assert_eq!(metrics.reconnects.get(), 1);
}

#[test]
fn a_full_queue_counts_drops() {
    let metrics = Metrics::default();
    let (outbox, _rx) = outbox::<Item>(2, metrics.clone());
    assert!(outbox.offer(Item { seq: 0, body: 1 }));
    assert!(outbox.offer(Item { seq: 0, body: 2 }));
    assert!(!outbox.offer(Item { seq: 0, body: 3 }));
    assert_eq!(
        metrics
            .dropped
            .get_or_create(&DropLabels {
                reason: DropReason::QueueFull
            })
            .get(),
        1
    );
}
