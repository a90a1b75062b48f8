//! Events: what a person sees. One event per request and attack type, with every point where a
//! payload of that type was found (so one malicious request is one event, however many of its
//! parts carry the payload).
use serde::Serialize;

use crate::detect::{AttackType, Hit};

/// Where the request came from and went to (filled by the transport; empty for `scan`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    pub transaction_id: String,
    pub ts_unix_ms: i64,
    pub client: String,
    pub server: String,
    pub node: String,
    pub pid: u32,
    pub comm: String,
    pub pod: String,
    pub namespace: String,
    pub protocol: String,
    /// Response status when the response was seen.
    pub status: Option<u16>,
    /// Capture joined mid-connection or lost bytes before this request.
    pub incomplete_context: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventPoint {
    pub point: serde_json::Value,
    pub payload: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub attack: AttackType,
    pub method: String,
    pub uri: String,
    pub host: String,
    pub points: Vec<EventPoint>,
    #[serde(flatten)]
    pub context: Context,
}

/// Groups a request's hits into events, one per attack type, in order of first hit.
pub fn events_for(method: &str, uri: &str, host: &str, hits: &[Hit], ctx: &Context) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::new();
    for hit in hits {
        let point = EventPoint {
            point: serde_json::to_value(&hit.point).unwrap_or(serde_json::Value::Null),
            payload: hit.payload.clone(),
            reason: hit.reason.clone(),
        };
        match events.iter_mut().find(|e| e.attack == hit.attack) {
            Some(e) => {
                if !e.points.contains(&point) {
                    e.points.push(point);
                }
            }
            None => events.push(Event {
                attack: hit.attack,
                method: method.to_owned(),
                uri: uri.to_owned(),
                host: host.to_owned(),
                points: vec![point],
                context: ctx.clone(),
            }),
        }
    }
    events
}
