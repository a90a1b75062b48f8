//! ORM injection: request keys that an application hands to its ORM as filter arguments,
//! turning a lookup into an oracle over data the user should not query ("ORM leak").
//!
//! - Django lookups in a key: `field__lookup` and relation traversal `a__b__c__lookup`, as
//!   a parameter name, a JSON key, or a `"key":` / `?key=` inside a text value (a JSON body
//!   sent as text, a query string carried in a value). Equality and range lookups on a single
//!   plain field (`name__exact`, `price__gte`) are how filter UIs work and stay clean; what
//!   is reported is a pattern, null or structure test (`email__iendswith`,
//!   `password__isnull`, `roles__contained_by`), a traversal through relations, or any
//!   lookup on a secret field.
//! - Ransack predicates on a secret attribute: `q[reset_password_token_start]=a`.
//! - JPQL/HQL native function calls: `function('pg_sleep', 5)`, the JPA escape hatch from
//!   the entity language into SQL.

use super::prefilter::{lits, LitSet, Lits};
use super::{AttackType, Detector, Finding};
use crate::point::Leaf;

/// Django's built-in and `django.contrib.postgres` lookups and transforms.
const LOOKUPS: &[&str] = &[
    "exact",
    "iexact",
    "contains",
    "icontains",
    "in",
    "gt",
    "gte",
    "lt",
    "lte",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "range",
    "date",
    "year",
    "iso_year",
    "month",
    "day",
    "week",
    "week_day",
    "iso_week_day",
    "quarter",
    "time",
    "hour",
    "minute",
    "second",
    "isnull",
    "regex",
    "iregex",
    "search",
    "has_key",
    "has_keys",
    "has_any_keys",
    "contained_by",
    "overlap",
    "len",
    "keys",
    "values",
    "unaccent",
    "trigram_similar",
    "trigram_word_similar",
    "isempty",
    "lower",
    "upper",
];

/// Lookups that test a pattern, nullness or structure: each answer leaks a little of a
/// value (character by character with `startswith`), or drops a condition (`isnull`).
const ORACLES: &[&str] = &[
    "contains",
    "icontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "regex",
    "iregex",
    "isnull",
    "search",
    "has_key",
    "has_keys",
    "has_any_keys",
    "contained_by",
    "overlap",
    "trigram_similar",
    "trigram_word_similar",
];

/// Field-name parts of secrets and privileges.
const SECRETS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "salt",
    "otp",
    "totp",
    "is_staff",
    "is_superuser",
    "is_admin",
    "private_key",
];

/// Ransack predicates (suffixes of `q[attribute_predicate]`).
const RANSACK: &[&str] = &[
    "eq",
    "not_eq",
    "matches",
    "does_not_match",
    "lt",
    "lteq",
    "gt",
    "gteq",
    "in",
    "not_in",
    "cont",
    "not_cont",
    "cont_any",
    "start",
    "not_start",
    "end",
    "not_end",
    "present",
    "blank",
    "null",
    "not_null",
];

pub struct Orm {
    lookup_gate: Lits,
    ransack_gate: Lits,
    function_gate: Lits,
}

impl Default for Orm {
    fn default() -> Self {
        Self::new()
    }
}

impl Orm {
    pub fn new() -> Self {
        Orm {
            lookup_gate: lits(&["__"]),
            ransack_gate: lits(&["q["]),
            function_gate: lits(&["function"]),
        }
    }
}

fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn secret(part: &str) -> bool {
    SECRETS.iter().any(|s| part.contains(s))
}

/// Why a Django-style key is an ORM injection, if it is one.
fn django_key(key: &str) -> Option<&'static str> {
    // `__proto__`, `__viewstate`, `_a__b`: dunder and private names are not model fields.
    if key.starts_with('_') || key.ends_with('_') || key.contains("___") {
        return None;
    }
    let parts: Vec<&str> = key.split("__").collect();
    if parts.len() < 2
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(ident_byte))
    {
        return None;
    }
    let last = parts[parts.len() - 1];
    let fields = if LOOKUPS.contains(&last) {
        &parts[..parts.len() - 1]
    } else {
        &parts[..]
    };
    let lookup = fields.len() < parts.len();
    if fields.iter().any(|f| secret(f)) && (lookup || fields.len() >= 2) {
        return Some("orm lookup on a secret field");
    }
    if lookup && fields.len() >= 2 {
        return Some("orm relation traversal");
    }
    if lookup && ORACLES.contains(&last) {
        return Some("orm oracle lookup");
    }
    None
}

/// `q[attribute_predicate]` on a secret attribute.
fn ransack_key(key: &str) -> Option<&'static str> {
    let inner = key.strip_prefix("q[")?.strip_suffix(']')?;
    if !inner.bytes().all(ident_byte) || !secret(inner) {
        return None;
    }
    RANSACK
        .iter()
        .any(|p| {
            inner
                .strip_suffix(p)
                .is_some_and(|a| a.len() > 1 && a.ends_with('_'))
        })
        .then_some("ransack predicate on a secret attribute")
}

/// Keys inside a text value: `"key":` (JSON as text) and `?key=` / `&key=` (a carried query
/// string). Every `__` is expanded to the identifier around it.
fn keys_in_text(s: &str) -> Option<(usize, usize, &'static str)> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(p) = memchr::memmem::find(&b[from..], b"__") {
        let at = from + p;
        let mut start = at;
        while start > 0 && ident_byte(b[start - 1]) {
            start -= 1;
        }
        let mut end = at;
        while end < b.len() && ident_byte(b[end]) {
            end += 1;
        }
        from = end.max(at + 2);
        let before = start.checked_sub(1).map(|i| b[i]);
        let after = b.get(end).copied();
        let json_key = before == Some(b'"')
            && after == Some(b'"')
            && b[end + 1..]
                .iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|&c| c == b':');
        let query_key = matches!(before, Some(b'?' | b'&')) && after == Some(b'=');
        if json_key || query_key {
            if let Some(why) = django_key(&s[start..end]) {
                return Some((start, end, why));
            }
        }
    }
    None
}

/// `function('name', …)`: a string literal as the callee is JPQL's `FUNCTION`, never a
/// JavaScript or PHP function expression (their parameters are names).
fn jpql_function(s: &str) -> Option<(usize, usize, &'static str)> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(p) = memchr::memmem::find(&b[from..], b"function") {
        let at = from + p;
        from = at + 8;
        if at > 0 && ident_byte(b[at - 1]) {
            continue;
        }
        let mut i = at + 8;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) != Some(&b'(') {
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) != Some(&b'\'') {
            continue;
        }
        let name_start = i + 1;
        let mut j = name_start;
        while j < b.len() && ident_byte(b[j]) {
            j += 1;
        }
        if j > name_start && b.get(j) == Some(&b'\'') {
            return Some((at, (j + 1).min(s.len()), "jpql native function call"));
        }
    }
    None
}

impl Detector for Orm {
    fn attack(&self) -> AttackType {
        AttackType::OrmInjection
    }

    fn check(&self, leaf: &Leaf, present: &LitSet) -> Option<Finding> {
        let s = leaf.lower.as_str();
        let found = if leaf.is_name {
            let key = s.trim();
            let django = if present.any(&self.lookup_gate) {
                django_key(key)
            } else {
                None
            };
            let ransack = if present.any(&self.ransack_gate) {
                ransack_key(key)
            } else {
                None
            };
            django.or(ransack).map(|why| (0, s.len(), why))
        } else {
            None
        };
        found
            .or_else(|| {
                present
                    .any(&self.lookup_gate)
                    .then(|| keys_in_text(s))
                    .flatten()
            })
            .or_else(|| {
                present
                    .any(&self.function_gate)
                    .then(|| jpql_function(s))
                    .flatten()
            })
            .map(|(a, b, reason)| Finding { at: a..b, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{Place, Point};

    fn name_hit(k: &str) -> Option<&'static str> {
        let mut leaf = Leaf::new(Point::name("get"), Place::Query, k.to_owned());
        leaf.is_name = true;
        Orm::new().check(&leaf, &LitSet::all()).map(|f| f.reason)
    }

    fn value_hit(v: &str) -> Option<&'static str> {
        let d = Orm::new();
        super::super::check_one(&d, v).map(|f| f.reason)
    }

    #[test]
    fn lookups_in_keys() {
        for (k, why) in [
            ("owner__email__startswith", "orm relation traversal"),
            ("author__profile__bio__icontains", "orm relation traversal"),
            ("api_token__regex", "orm lookup on a secret field"),
            ("user__password", "orm lookup on a secret field"),
            ("reset_token__isnull", "orm lookup on a secret field"),
            ("phone__istartswith", "orm oracle lookup"),
            ("tags__overlap", "orm oracle lookup"),
            ("attrs__has_key", "orm oracle lookup"),
            (
                "q[reset_password_token_start]",
                "ransack predicate on a secret attribute",
            ),
            (
                "q[user_password_digest_cont]",
                "ransack predicate on a secret attribute",
            ),
        ] {
            assert_eq!(name_hit(k), Some(why), "{k}");
        }
    }

    #[test]
    fn filter_ui_keys_and_dunders_stay_clean() {
        for k in [
            "price__gte",
            "created__lt",
            "status__in",
            "name__exact",
            "opt_in",
            "domain",
            "__proto__",
            "__viewstate",
            "__requestverificationtoken",
            "_ga__x",
            "block__element",
            "card__title--active",
            "q[name_cont]",
            "q[s]",
            "utm__source",
        ] {
            assert_eq!(name_hit(k), None, "{k}");
        }
    }

    #[test]
    fn keys_in_text_values() {
        for v in [
            r#"{"owner__email__endswith": "@corp.example"}"#,
            r#"{ "password__startswith" : "a" }"#,
            "/list?page=2&creator__is_staff__exact=1",
        ] {
            assert!(value_hit(v).is_some(), "{v}");
        }
        for v in [
            r#"{"note": "please filter by name__startswith"}"#,
            r#"{"name__exact":"a","city__in":"b"}"#,
            "use field__icontains in your filters",
            "/list?price__gte=10",
        ] {
            assert_eq!(value_hit(v), None, "{v}");
        }
    }

    #[test]
    fn jpql_function_calls() {
        for v in [
            "x' and function('pg_sleep', 5) is null and ''='",
            "1 or FUNCTION ( 'version' ) like '%'",
        ] {
            assert_eq!(value_hit(v), Some("jpql native function call"), "{v}");
        }
        for v in [
            "var f = function(a, b) { return a + b; }",
            "function() { alert('x') }",
            "the function('s name is x",
            "$f = function($x) use ('y')",
        ] {
            assert_eq!(value_hit(v), None, "{v}");
        }
    }
}
