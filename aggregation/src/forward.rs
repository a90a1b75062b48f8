//! The mTLS gRPC stream of transactions to processing.
use proto::transaction::{transactions_client::TransactionsClient, Transaction};
use tokio_stream::{wrappers::ReceiverStream, StreamExt};
use tonic::transport::{ClientTlsConfig, Endpoint};

pub async fn open(
    url: String,
    tls: ClientTlsConfig,
    txs: ReceiverStream<Transaction>,
) -> anyhow::Result<svc::reliable::AckStream> {
    let channel = Endpoint::from_shared(url.clone())?
        .tls_config(tls)?
        .connect()
        .await
        .map_err(|e| anyhow::anyhow!("connecting to processing at {url}: {e:?}"))?;
    let mut client = TransactionsClient::new(channel).max_decoding_message_size(64 << 20);
    let acks = client.submit(txs).await?.into_inner();
    Ok(Box::pin(acks.map(|r| r.map(|a| a.seq))))
}

/// Transactions spread over processing replicas. A connection's transactions always take the same
/// replica, so they stay in order; each replica has its own bounded queue, and `send` waits for
/// room (backpressure towards the agent streams) instead of dropping.
#[derive(Clone)]
pub struct Fanout {
    outboxes: Vec<svc::reliable::Outbox<Transaction>>,
}

impl Fanout {
    pub fn new(outboxes: Vec<svc::reliable::Outbox<Transaction>>) -> Self {
        assert!(
            !outboxes.is_empty(),
            "validated config lists at least one processing replica"
        );
        Self { outboxes }
    }

    /// Replica for a connection: a multiplicative hash so sequential ids spread evenly.
    pub fn replica(&self, conn_key: u64) -> usize {
        let h = conn_key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((h >> 32) % self.outboxes.len() as u64) as usize
    }

    pub async fn send(&self, conn_key: u64, t: Transaction) -> bool {
        self.outboxes[self.replica(conn_key)].send(t).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_spread_over_replicas_and_stick_to_one() {
        let m = svc::reliable::Metrics::default();
        let boxes = (0..3)
            .map(|_| svc::reliable::outbox(1, m.clone()).0)
            .collect();
        let f = Fanout::new(boxes);
        let mut counts = [0usize; 3];
        for id in 0..3000u64 {
            counts[f.replica(id)] += 1;
            assert_eq!(f.replica(id), f.replica(id));
        }
        assert!(counts.iter().all(|&c| c > 800), "{counts:?}");
    }
}
