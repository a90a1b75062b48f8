//! Attacks: events grouped by attack type, host, path and request point within a time window,
//! with counts, first/last seen and the source addresses, as the Wallarm console shows them.
use std::collections::BTreeMap;

use serde::Serialize;

use crate::store::StoredEvent;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attack {
    pub attack: String,
    pub host: String,
    /// Request path without the query.
    pub path: String,
    /// The request point of the first hit of the events (e.g. ["get","file","percent"]).
    pub point: serde_json::Value,
    pub count: u64,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    /// Client IPs (without ports), sorted.
    pub sources: Vec<String>,
    pub statuses: Vec<u16>,
}

fn ip_of(client: &str) -> String {
    // "127.0.0.1:5000" or "[::1]:5000" → the address part.
    match client.rsplit_once(':') {
        Some((ip, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
            ip.trim_matches(|c| c == '[' || c == ']').to_owned()
        }
        _ => client.to_owned(),
    }
}

/// Groups `events` (any order). An event joins the open group of its key when it comes at most
/// `window_ms` after that group's last event; otherwise it starts a new group.
pub fn group(events: &[StoredEvent], window_ms: i64) -> Vec<Attack> {
    let mut sorted: Vec<&StoredEvent> = events.iter().collect();
    sorted.sort_by_key(|e| (e.ts_unix_ms, e.id));
    let mut open: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    let mut out: Vec<Attack> = Vec::new();
    for e in sorted {
        let path = e
            .uri
            .split_once('?')
            .map_or(e.uri.as_str(), |(p, _)| p)
            .to_owned();
        let point = e
            .points
            .get(0)
            .map(|p| p["point"].clone())
            .unwrap_or(serde_json::Value::Null);
        let key = (
            e.attack.clone(),
            e.host.clone(),
            path.clone(),
            point.to_string(),
        );
        let ip = ip_of(&e.client);
        match open.get(&key).copied() {
            Some(i) if e.ts_unix_ms - out[i].last_seen_ms <= window_ms => {
                let a = &mut out[i];
                a.count += 1;
                a.last_seen_ms = e.ts_unix_ms;
                if !ip.is_empty() && !a.sources.contains(&ip) {
                    a.sources.push(ip);
                    a.sources.sort();
                }
                if let Some(s) = e.status.filter(|s| !a.statuses.contains(s)) {
                    a.statuses.push(s);
                    a.statuses.sort_unstable();
                }
            }
            _ => {
                open.insert(key, out.len());
                out.push(Attack {
                    attack: e.attack.clone(),
                    host: e.host.clone(),
                    path,
                    point,
                    count: 1,
                    first_seen_ms: e.ts_unix_ms,
                    last_seen_ms: e.ts_unix_ms,
                    sources: if ip.is_empty() { Vec::new() } else { vec![ip] },
                    statuses: e.status.into_iter().collect(),
                });
            }
        }
    }
    out.sort_by_key(|a| std::cmp::Reverse(a.last_seen_ms));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(
        id: i64,
        ts: i64,
        attack: &str,
        uri: &str,
        client: &str,
        point: serde_json::Value,
    ) -> StoredEvent {
        StoredEvent {
            id,
            ts_unix_ms: ts,
            attack: attack.into(),
            method: "GET".into(),
            uri: uri.into(),
            host: "shop".into(),
            client: client.into(),
            server: String::new(),
            node: String::new(),
            pid: 0,
            comm: String::new(),
            status: Some(200),
            transaction_id: format!("t{id}"),
            points: serde_json::json!([{ "point": point, "payload": "x", "reason": "r" }]),
            protocol: "http1".into(),
        }
    }

    #[test]
    fn groups_by_type_host_path_point_within_the_window() {
        let p = serde_json::json!(["get", "file"]);
        let events = vec![
            ev(
                1,
                1_000,
                "ptrav",
                "/dl?file=../a",
                "10.0.0.1:5000",
                p.clone(),
            ),
            ev(
                2,
                2_000,
                "ptrav",
                "/dl?file=../b",
                "10.0.0.2:6000",
                p.clone(),
            ),
            ev(
                3,
                2_500,
                "ptrav",
                "/dl?file=../c",
                "10.0.0.1:5001",
                p.clone(),
            ),
            // Same path, other point: another attack.
            ev(
                4,
                2_600,
                "ptrav",
                "/dl?name=../c",
                "10.0.0.1:5002",
                serde_json::json!(["get", "name"]),
            ),
            // Other type.
            ev(
                5,
                2_700,
                "sqli",
                "/dl?file=1'or'1",
                "10.0.0.1:5003",
                p.clone(),
            ),
            // Same key after a quiet period longer than the window: a new attack.
            ev(
                6,
                100_000,
                "ptrav",
                "/dl?file=../d",
                "[::1]:7000",
                p.clone(),
            ),
        ];
        let attacks = group(&events, 60_000);
        assert_eq!(attacks.len(), 4);
        let first = attacks
            .iter()
            .find(|a| a.count == 3)
            .expect("three hits grouped");
        assert_eq!((first.first_seen_ms, first.last_seen_ms), (1_000, 2_500));
        assert_eq!(first.sources, ["10.0.0.1", "10.0.0.2"]);
        assert_eq!(first.path, "/dl");
        assert_eq!(attacks[0].sources, ["::1"], "newest first");
    }
}
