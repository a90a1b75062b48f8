//! JSON documents: `hash` / `array` steps in the point, strings as values, keys as names.

use super::extract::Walker;
use super::{Place, Point, PointPart};
use serde_json::Value;

/// Walks `data` as JSON; false when it does not parse (the caller then inspects it as text).
/// serde_json's recursion limit (128) bounds nesting, so a 10k-deep document fails cleanly.
pub fn walk(w: &mut Walker<'_>, base: &Point, place: Place, data: &[u8], depth: usize) -> bool {
    match serde_json::from_slice::<Value>(data) {
        Ok(v) => {
            node(w, base, place, &v, depth);
            true
        }
        Err(_) => false,
    }
}

fn node(w: &mut Walker<'_>, point: &Point, place: Place, v: &Value, depth: usize) {
    if w.full() {
        return;
    }
    match v {
        Value::String(s) => w.value(point, place, s.as_bytes(), depth),
        Value::Object(map) => {
            let hash = point.with_name("hash");
            for (k, v) in map {
                let p = hash.with_key(k);
                w.name(&p, place, k.as_bytes());
                node(w, &p, place, v, depth);
            }
        }
        Value::Array(items) => {
            let array = point.with_name("array");
            for (i, v) in items.iter().enumerate() {
                node(w, &array.with(PointPart::Index(i as u64)), place, v, depth);
            }
        }
        Value::Number(_) | Value::Bool(_) | Value::Null => {}
    }
}
