use super::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

fn f(n: &str, v: &str) -> (Vec<u8>, Vec<u8>) {
    (n.as_bytes().to_vec(), v.as_bytes().to_vec())
}

fn pairs(h: &Fields) -> Pairs {
    h.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect()
}

// RFC 7541 C.6: three Huffman-coded responses with a 256-byte table (evictions in the third).
const C6: [&str; 3] = [
    "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
    "4883 640e ffc1 c0bf",
    "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
];

fn c6_expected() -> [Pairs; 3] {
    [
        vec![
            f(":status", "302"),
            f("cache-control", "private"),
            f("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            f("location", "https://www.example.com"),
        ],
        vec![
            f(":status", "307"),
            f("cache-control", "private"),
            f("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            f("location", "https://www.example.com"),
        ],
        vec![
            f(":status", "200"),
            f("cache-control", "private"),
            f("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
            f("location", "https://www.example.com"),
            f("content-encoding", "gzip"),
            f(
                "set-cookie",
                "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
            ),
        ],
    ]
}

#[test]
fn rfc7541_c6_responses_with_eviction() {
    let mut d = Decoder::new(true);
    d.table.set_max_size(256);
    for (block, want) in C6.iter().zip(c6_expected()) {
        let mut out = Fields::new();
        let info = d
            .decode(&hex(block), 1 << 20, &mut out)
            .expect("valid block");
        assert_eq!(info, Decoded::default());
        assert_eq!(pairs(&out), want);
    }
    assert_eq!(d.table_len(), 3);
}

#[test]
fn rfc7541_c4_requests() {
    let mut d = Decoder::new(true);
    let mut out = Fields::new();
    d.decode(
        &hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"),
        1 << 20,
        &mut out,
    )
    .expect("c.4.1");
    out.clear();
    d.decode(&hex("8286 84be 5886 a8eb 1064 9cbf"), 1 << 20, &mut out)
        .expect("c.4.2");
    assert_eq!(
        pairs(&out),
        vec![
            f(":method", "GET"),
            f(":scheme", "http"),
            f(":path", "/"),
            f(":authority", "www.example.com"),
            f("cache-control", "no-cache"),
        ]
    );
}

#[test]
fn missing_history_yields_placeholders_then_recovers() {
    // Joined after C.6.1: the second block refers to three entries never seen.
    let mut d = Decoder::new(false);
    let mut out = Fields::new();
    let info = d.decode(&hex(C6[1]), 1 << 20, &mut out).expect("tolerated");
    assert_eq!(info.unknown, 3);
    assert_eq!(
        pairs(&out),
        vec![
            f(":status", "307"),
            f(":unknown-hpack-index-65", ""),
            f(":unknown-hpack-index-64", ""),
            f(":unknown-hpack-index-63", ""),
        ]
    );
    // The third block inserts new entries and refers to two older than anything seen (65, then 64
    // after one insertion: the real table holds five entries, ours two).
    out.clear();
    let info = d.decode(&hex(C6[2]), 1 << 20, &mut out).expect("tolerated");
    assert_eq!(info.unknown, 2);
    assert_eq!(pairs(&out)[0], f(":status", "200"));
    assert_eq!(pairs(&out)[1], f(":unknown-hpack-index-65", ""));
    assert_eq!(pairs(&out)[2], f("date", "Mon, 21 Oct 2013 20:13:22 GMT"));
    assert_eq!(pairs(&out)[3], f(":unknown-hpack-index-64", ""));
    assert_eq!(pairs(&out)[4], f("content-encoding", "gzip"));
    // Entries inserted since the join are exact from now on.
    out.clear();
    d.decode(&hex("be bf"), 1 << 20, &mut out).expect("known");
    assert_eq!(
        pairs(&out),
        vec![c6_expected()[2][5].clone(), c6_expected()[2][4].clone()]
    );
}

#[test]
fn complete_history_out_of_range_is_an_error() {
    let mut d = Decoder::new(true);
    let mut out = Fields::new();
    assert_eq!(
        d.decode(&hex("be"), 1 << 20, &mut out),
        Err(HpackError::Index)
    );
    assert_eq!(
        d.decode(&hex("80"), 1 << 20, &mut out),
        Err(HpackError::Index)
    );
}

#[test]
fn malformed_blocks_are_errors_not_panics() {
    let mut d = Decoder::new(false);
    let mut out = Fields::new();
    // Integer continuation never ends.
    assert_eq!(
        d.decode(
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            1 << 20,
            &mut out
        ),
        Err(HpackError::Integer)
    );
    // String longer than the block.
    assert_eq!(
        d.decode(&[0x40, 0x0a, b'a'], 1 << 20, &mut out),
        Err(HpackError::StringLength)
    );
    // Invalid Huffman (EOS).
    assert_eq!(
        d.decode(
            &[0x40, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00],
            1 << 20,
            &mut out
        ),
        Err(HpackError::Huffman)
    );
}

#[test]
fn oversized_list_keeps_table_in_sync() {
    let mut d = Decoder::new(true);
    let mut block = Vec::new();
    block.push(0x40);
    encode::string(&mut block, b"x-big", true);
    encode::string(&mut block, &[b'v'; 100], true);
    let mut out = Fields::new();
    let info = d.decode(&block, 50, &mut out).expect("decodes");
    assert!(info.oversized);
    assert!(out.is_empty());
    out.clear();
    d.decode(&[0xbe], 1 << 20, &mut out).expect("indexed");
    assert_eq!(pairs(&out), vec![(b"x-big".to_vec(), vec![b'v'; 100])]);
}

/// A simple encoder (incremental indexing of everything, Huffman literals) against the decoder,
/// over many blocks with evictions and a size update, starting at every block boundary.
#[test]
fn round_trip_with_table_and_late_join() {
    let blocks_fields: Vec<Pairs> = (0..40)
        .map(|i| {
            vec![
                f(":method", if i % 3 == 0 { "POST" } else { "GET" }),
                f(":path", &format!("/api/v1/items/{}", i % 7)),
                f(":authority", "shop.example.com"),
                f(
                    "user-agent",
                    "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0",
                ),
                f("cookie", &format!("session={:032x}", i / 5)),
                f("x-request-id", &format!("{i:08}")),
            ]
        })
        .collect();
    // Encoder side: a mirror table of what it inserted (newest first), max 512 bytes.
    let mut mirror: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let max = 512usize;
    let mut blocks = Vec::new();
    for (bi, fields) in blocks_fields.iter().enumerate() {
        let mut b = Vec::new();
        if bi == 0 {
            encode::integer(&mut b, 0x20, 5, max as u64);
        }
        for (n, v) in fields {
            if let Some(pos) = mirror.iter().position(|(mn, mv)| mn == n && mv == v) {
                encode::integer(&mut b, 0x80, 7, 62 + pos as u64);
                continue;
            }
            match table::STATIC.iter().position(|(sn, _)| *sn == n.as_slice()) {
                Some(si) => encode::integer(&mut b, 0x40, 6, si as u64 + 1),
                None => {
                    b.push(0x40);
                    encode::string(&mut b, n, true);
                }
            }
            encode::string(&mut b, v, true);
            mirror.insert(0, (n.clone(), v.clone()));
            let mut size: usize = mirror.iter().map(|(n, v)| n.len() + v.len() + 32).sum();
            while size > max {
                let (n, v) = mirror.pop().expect("non-empty");
                size -= n.len() + v.len() + 32;
            }
        }
        blocks.push(b);
    }
    for start in 0..blocks.len() {
        let mut d = Decoder::new(start == 0);
        for (bi, block) in blocks.iter().enumerate().skip(start) {
            let mut out = Fields::new();
            let info = d.decode(block, 1 << 20, &mut out).expect("valid");
            assert_eq!(out.len(), blocks_fields[bi].len());
            for (got, want) in pairs(&out).iter().zip(&blocks_fields[bi]) {
                if got.0.starts_with(b":unknown-hpack-index-") {
                    assert!(start > 0 && info.unknown > 0);
                } else {
                    assert_eq!(got, want, "block {bi} from {start}");
                }
            }
            if start == 0 {
                assert_eq!(info.unknown, 0);
            }
        }
    }
}

#[test]
fn static_entries_are_stored_as_fields() {
    let t = table::DynamicTable::new(true, TABLE_CAP);
    for (i, (name, value)) in table::STATIC.iter().enumerate() {
        let mut h = Fields::new();
        match t.lookup(i as u64 + 1) {
            table::Lookup::Found {
                encoded,
                name_len,
                class,
            } => {
                assert_eq!(name_len, name.len());
                assert_eq!(class, table::Class::of(name));
                h.push_encoded(encoded);
            }
            other => panic!("static {i}: {other:?}"),
        }
        assert_eq!(h.iter().collect::<Vec<_>>(), [(*name, *value)]);
    }
    assert_eq!(t.lookup(0), table::Lookup::Invalid);
    assert_eq!(t.lookup(62), table::Lookup::Invalid);
}

/// A `:path` sent again and again without indexing, Huffman-coded (as the `h2` crate sends it): the
/// same fields every time, whether the decoder copies the remembered path or takes it for a
/// request line, and a path that is not UTF-8 is decoded as it is each time (never remembered).
#[test]
fn repeated_unindexed_paths_decode_the_same_every_time() {
    let block = |path: &[u8]| {
        let mut b = vec![0x83];
        encode::integer(&mut b, 0, 4, 4);
        encode::string(&mut b, path, true);
        b.push(0x86);
        b
    };
    let (a, b, c): (&[u8], &[u8], &[u8]) =
        (b"/pkg.Service/Method", b"/pkg.Service/Mathod", b"/x\xff/y");
    // Each path repeated (remembered), then another one of the same encoded length (not mistaken
    // for it), and one that is not UTF-8.
    let mut d = Decoder::new(true);
    for (round, path) in [a, a, a, b, b, b, a, c, c, c, a, a].into_iter().enumerate() {
        let mut out = Fields::new();
        d.decode(&block(path), 1 << 20, &mut out).expect("decodes");
        assert_eq!(
            pairs(&out),
            vec![
                f(":method", "POST"),
                (b":path".to_vec(), path.to_vec()),
                f(":scheme", "http"),
            ],
            "round {round}"
        );
        // A list limit below the path drops it (and what follows) every time alike.
        let mut cut = Fields::new();
        let info = d.decode(&block(path), 12, &mut cut).expect("decodes");
        assert!(info.oversized);
        assert_eq!(pairs(&cut), vec![f(":method", "POST")], "round {round}");
    }
}
