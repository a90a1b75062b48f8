//! The format of recorded connections (`testdata/h2_*.bin`, see `testdata/README.md`): records in
//! capture order, each `[side: u8 (0 client, 1 server)][len: u32 big-endian][bytes]`. Written by
//! the tests that record a real HTTP/2 peer, read by the tests, the benches and
//! `examples/replay.rs`, so all of them replay the same bytes the same way.

use crate::exchange::Side;

/// `log` as a recording.
pub fn encode(log: &[(Side, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (side, bytes) in log {
        out.push(u8::from(*side == Side::Server));
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// The records of a recording; a record cut short at the end is left out.
pub fn decode(mut data: &[u8]) -> Vec<(Side, Vec<u8>)> {
    let mut out = Vec::new();
    while data.len() >= 5 {
        let side = if data[0] == 0 {
            Side::Client
        } else {
            Side::Server
        };
        let len = u32::from_be_bytes([data[1], data[2], data[3], data[4]]) as usize;
        let Some(bytes) = data.get(5..5 + len) else {
            break;
        };
        out.push((side, bytes.to_vec()));
        data = &data[5 + len..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_a_cut_record_is_left_out() {
        let log = vec![
            (Side::Client, b"PRI * HTTP/2.0".to_vec()),
            (Side::Server, Vec::new()),
            (Side::Server, vec![0u8; 300]),
        ];
        let bytes = encode(&log);
        assert_eq!(decode(&bytes), log);
        assert_eq!(decode(&bytes[..bytes.len() - 1]), log[..2].to_vec());
    }
}
