use super::*;

fn v2(command: u8, family: u8, addr: &[u8], tlvs: &[u8]) -> Vec<u8> {
    let mut h = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    h.push(0x20 | command);
    h.push(family);
    h.extend_from_slice(&((addr.len() + tlvs.len()) as u16).to_be_bytes());
    h.extend_from_slice(addr);
    h.extend_from_slice(tlvs);
    h
}

#[test]
fn v1_tcp4_tcp6_unknown() {
    let line = b"PROXY TCP4 203.0.113.7 10.0.0.1 56324 443\r\n";
    let mut data = line.to_vec();
    data.extend_from_slice(b"GET / HTTP/1.1\r\n");
    assert_eq!(
        parse(&data),
        ProxyHeader::Header {
            len: line.len(),
            client: Some("203.0.113.7:56324".parse().expect("addr"))
        }
    );
    let line6 = b"PROXY TCP6 2001:db8::1 2001:db8::2 4000 80\r\n";
    assert_eq!(
        parse(line6),
        ProxyHeader::Header {
            len: line6.len(),
            client: Some("[2001:db8::1]:4000".parse().expect("addr"))
        }
    );
    assert_eq!(
        parse(b"PROXY UNKNOWN\r\n"),
        ProxyHeader::Header {
            len: 15,
            client: None
        }
    );
    for n in 0..line.len() {
        assert_eq!(parse(&line[..n]), ProxyHeader::Incomplete, "prefix {n}");
    }
    assert_eq!(parse(b"PROXY TCP4 nonsense\r\n"), ProxyHeader::Invalid);
    assert_eq!(parse(&[b'P'; 200]), ProxyHeader::NotProxy);
    assert_eq!(parse(b"PROXY TCP4 1.1.1.1 2.2.2.2 1 2 and a very long tail that never ends ........................................."), ProxyHeader::Invalid);
    assert_eq!(parse(b"GET / HTTP/1.1\r\n"), ProxyHeader::NotProxy);
}

#[test]
fn v2_ipv4_ipv6_local_tlv() {
    let addr4 = [203, 0, 113, 7, 10, 0, 0, 1, 0xdc, 0x04, 0x01, 0xbb];
    let h = v2(1, 0x11, &addr4, &[0x04, 0, 1, 42]);
    let mut data = h.clone();
    data.extend_from_slice(b"PRI * HTTP/2.0");
    assert_eq!(
        parse(&data),
        ProxyHeader::Header {
            len: h.len(),
            client: Some("203.0.113.7:56324".parse().expect("addr"))
        }
    );
    for n in 0..h.len() {
        assert_eq!(parse(&h[..n]), ProxyHeader::Incomplete, "prefix {n}");
    }
    let mut addr6 = Vec::new();
    addr6.extend_from_slice(
        &"2001:db8::1"
            .parse::<std::net::Ipv6Addr>()
            .expect("ip")
            .octets(),
    );
    addr6.extend_from_slice(
        &"2001:db8::2"
            .parse::<std::net::Ipv6Addr>()
            .expect("ip")
            .octets(),
    );
    addr6.extend_from_slice(&[0x0f, 0xa0, 0, 80]);
    let h6 = v2(1, 0x21, &addr6, &[]);
    assert_eq!(
        parse(&h6),
        ProxyHeader::Header {
            len: h6.len(),
            client: Some("[2001:db8::1]:4000".parse().expect("addr"))
        }
    );
    let local = v2(0, 0x00, &[], &[]);
    assert_eq!(
        parse(&local),
        ProxyHeader::Header {
            len: 16,
            client: None
        }
    );
    // Bad version nibble.
    let mut bad = h.clone();
    bad[12] = 0x31;
    assert_eq!(parse(&bad), ProxyHeader::Invalid);
}
