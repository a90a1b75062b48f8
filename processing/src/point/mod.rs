//! Request points: where a value sits in a request, Wallarm style (`[get, "id"]`,
//! `[post, json_doc, hash, "user", array, 0]`, `[header, "USER-AGENT"]`), and the extraction that
//! walks a request into decoded leaf values, recording every decoder applied in the point.
//!
//! Extraction is bounded (see [`Limits`]): detectors see at most a fixed number of leaves and
//! bytes per request, so hostile input costs a bounded amount of work. What lies beyond the
//! bounds is not inspected; availability wins over completeness here, as in a WAF.

mod base64;
mod cookie;
mod extract;
mod form;
mod gzip;
mod html;
mod json;
mod multipart;
pub mod percent;
mod xml;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;

pub use extract::{extract, extract_with, Extracted, Limits};

/// One step of a point: a parser/decoder name, a key, or an array index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PointPart {
    /// Parser and decoder names are a fixed vocabulary (`get`, `percent`, `json_doc`…).
    Name(&'static str),
    Key(String),
    Index(u64),
}

/// Where a value sits in a request, outermost step first. Shared, not copied: every leaf holds
/// its point, but only hits ever need their own, so a leaf's point costs a reference count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Point(pub Arc<[PointPart]>);

impl Default for Point {
    fn default() -> Self {
        Point(Arc::new([]))
    }
}

impl Point {
    pub fn name(name: &'static str) -> Self {
        Point(Arc::new([PointPart::Name(name)]))
    }

    /// A new point with one more step.
    pub fn with(&self, part: PointPart) -> Self {
        Point(
            self.0
                .iter()
                .cloned()
                .chain(std::iter::once(part))
                .collect(),
        )
    }

    pub fn with_name(&self, name: &'static str) -> Self {
        self.with(PointPart::Name(name))
    }

    pub fn with_key(&self, key: &str) -> Self {
        self.with(PointPart::Key(key.to_owned()))
    }

    /// True when a decoder/parser of this name was applied somewhere along the point.
    pub fn has_name(&self, name: &str) -> bool {
        self.0
            .iter()
            .any(|p| matches!(p, PointPart::Name(n) if *n == name))
    }
}

impl serde::Serialize for PointPart {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PointPart::Name(n) => s.serialize_str(n),
            PointPart::Key(k) => s.serialize_str(k),
            PointPart::Index(i) => s.serialize_u64(*i),
        }
    }
}

impl serde::Serialize for Point {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, part) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match part {
                PointPart::Name(n) => f.write_str(n)?,
                PointPart::Key(k) => write!(f, "{k:?}")?,
                PointPart::Index(i) => write!(f, "{i}")?,
            }
        }
        f.write_str("]")
    }
}

/// Which part of the request a leaf came from; detectors use it to pick their grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The decoded path as a whole (`[uri]`).
    Uri,
    /// One path segment, action name or extension.
    Path,
    Query,
    Header,
    Cookie,
    Body,
}

/// One decoded value at one point.
#[derive(Clone, Debug)]
pub struct Leaf {
    pub point: Point,
    pub place: Place,
    /// True for parameter/key names rather than values.
    pub is_name: bool,
    /// Upper-case header name for `Place::Header` leaves (shared by a header's leaves).
    pub header: Option<Arc<str>>,
    pub value: String,
    /// `value` with ASCII lower-cased; same byte offsets as `value`.
    pub lower: String,
}

impl Leaf {
    pub fn new(point: Point, place: Place, value: String) -> Self {
        let lower = value.to_ascii_lowercase();
        Leaf {
            point,
            place,
            is_name: false,
            header: None,
            value,
            lower,
        }
    }
}
