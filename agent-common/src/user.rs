//! Userspace-only impls (aya::Pod) and decoding of raw records.

use crate::{Config, ConnKey, ConnState, RecordHeader, HEADER_LEN};

// SAFETY: plain-old-data repr(C) structs without padding holes that could leak uninitialised bytes
// into maps; every bit pattern is valid.
unsafe impl aya::Pod for ConnKey {}
unsafe impl aya::Pod for ConnState {}
unsafe impl aya::Pod for Config {}
unsafe impl aya::Pod for crate::SslKey {}

/// Why a raw ring buffer record could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    TooShort(usize),
    LengthMismatch { declared: u32, available: usize },
}

/// Splits a raw record into its header and payload.
pub fn decode(raw: &[u8]) -> Result<(RecordHeader, &[u8]), DecodeError> {
    if raw.len() < HEADER_LEN {
        return Err(DecodeError::TooShort(raw.len()));
    }
    // SAFETY: length checked above; read_unaligned because ring buffer records are only 8-aligned
    // and RecordHeader is Copy with every bit pattern valid.
    let header = unsafe { core::ptr::read_unaligned(raw.as_ptr() as *const RecordHeader) };
    let payload = &raw[HEADER_LEN..];
    let len = header.len as usize;
    if len > payload.len() {
        return Err(DecodeError::LengthMismatch {
            declared: header.len,
            available: payload.len(),
        });
    }
    Ok((header, &payload[..len]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_rejects_short_and_inconsistent_records() {
        assert_eq!(decode(&[0u8; 10]).unwrap_err(), DecodeError::TooShort(10));
        let mut raw = vec![0u8; HEADER_LEN + 3];
        raw[12..16].copy_from_slice(&5u32.to_ne_bytes()); // len field
        assert!(matches!(
            decode(&raw),
            Err(DecodeError::LengthMismatch {
                declared: 5,
                available: 3
            })
        ));
        raw[12..16].copy_from_slice(&2u32.to_ne_bytes());
        let (h, p) = decode(&raw).unwrap();
        assert_eq!(h.len, 2);
        assert_eq!(p.len(), 2);
    }
}
