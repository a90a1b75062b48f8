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
