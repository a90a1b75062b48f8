//! The mTLS gRPC stream to aggregation.
use proto::capture::{capture_client::CaptureClient, ChunkBatch};
use tokio_stream::{wrappers::ReceiverStream, StreamExt};
use tonic::transport::{ClientTlsConfig, Endpoint};

pub fn set_seq(b: &mut ChunkBatch, seq: u64) {
    b.seq = seq;
}

/// Opens one Capture.Stream; the returned stream yields acknowledged sequence numbers.
pub async fn open(
    url: String,
    tls: Option<ClientTlsConfig>,
    batches: ReceiverStream<ChunkBatch>,
) -> anyhow::Result<svc::reliable::AckStream> {
    let mut endpoint = Endpoint::from_shared(url.clone())?;
    if let Some(tls) = tls {
        endpoint = endpoint.tls_config(tls)?;
    }
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| anyhow::anyhow!("connecting to aggregation at {url}: {e:?}"))?;
    let mut client = CaptureClient::new(channel).max_decoding_message_size(64 << 20);
    let acks = client.stream(batches).await?.into_inner();
    Ok(Box::pin(acks.map(|r| r.map(|a| a.seq))))
}
