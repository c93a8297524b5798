//! The read side of the database: each collection described as data (the fields of its items,
//! the table its rows are picked from, its filters and its sorts) and the statements built
//! from that description. A filter is one row holding its parameter, how its value is checked,
//! its SQL and its existence check, so declaring a filter and implementing it are one edit.
//! `routes/` parses a request into a [`ListQuery`] and renders what comes back; it holds no SQL.

pub mod answers;
pub mod cells;
pub mod counts;
pub mod enterprises;
pub mod facets;
pub mod indicators;
pub mod metrics;
pub mod names;
pub mod page;
pub mod policies;
pub mod projects;
pub mod regions;
pub mod search;
pub mod sources;
pub mod sql;

use sqlx::{QueryBuilder, Sqlite};

use crate::db::search_index::DocKind;
use crate::fts::Term;

pub use counts::Counts;
pub use page::{CsvPage, Page, fetch_item, fetch_page, stream_csv};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 1000;

/// Every collection with a list route, in the order the contract names them.
pub const COLLECTIONS: [&Collection; 7] = [
    &regions::REGIONS,
    &enterprises::ENTERPRISES,
    &projects::PROJECTS,
    &policies::POLICIES,
    &indicators::INDICATORS,
    &metrics::METRICS,
    &sources::SOURCES,
];

/// How a field's SQL value becomes JSON (and a CSV cell).
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Text, or NULL for `null`.
    Text,
    /// An integer.
    Integer,
    /// A REAL; whole numbers are written without a fraction (`331500000000`).
    Number,
    /// A JSON array the SQL builds; CSV joins its items with `; `.
    List,
    /// A nested object; CSV names its fields `parent_child`.
    Object(&'static [Field]),
}

/// One field of an item as the API shows it, and the SQL expression that reads it.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub sql: &'static str,
    pub shape: Shape,
}

/// How a filter's value is checked before it reaches SQL, and how it is bound.
#[derive(Debug, Clone, Copy)]
pub enum FilterKind {
    /// One of a fixed set of values.
    Enum(&'static [&'static str]),
    /// One or more of a fixed set of values, repeated or comma-separated; bound as a JSON
    /// array for `json_each`.
    EnumList(&'static [&'static str]),
    /// The id of a stored entity; the expression (each `?` bound to the id) is true when it
    /// exists, and a request naming one that does not is refused.
    Ref(&'static str),
    /// A lowercase tag such as an industry.
    Tag,
    /// A four-digit year, bound as an integer.
    Year,
    /// A partial date (`2022`, `2022-03`): binds its first year, its last year, itself, and
    /// itself followed by `-%`, in that order.
    Period,
    /// A number, bound as a REAL.
    Number,
    /// Free text, matched exactly.
    Text,
}

impl FilterKind {
    pub fn describe(&self) -> String {
        match self {
            Self::Enum(values) => format!("one of {}", values.join(", ")),
            Self::EnumList(values) => format!(
                "one or more of {}, comma-separated or repeated",
                values.join(", ")
            ),
            Self::Ref(_) => "an id".into(),
            Self::Tag => "a tag".into(),
            Self::Year => "a year such as 2022".into(),
            Self::Period => "a period such as 2022, 2022-03 or 2021/2022".into(),
            Self::Number => "a number".into(),
            Self::Text => "text".into(),
        }
    }
}

/// A filter a collection accepts: its parameter, how the value is checked, what it means (for
/// the OpenAPI document) and the condition it adds.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    pub param: &'static str,
    pub kind: FilterKind,
    pub doc: &'static str,
    /// The condition on the collection's table, `?` standing for the value (see [`FilterKind`]).
    pub sql: &'static str,
    /// The same condition on the collection's region table, when that table can answer it.
    pub keyed: Option<&'static str>,
}

/// Whether a sort key compares as text or as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Text,
    Number,
}

/// A field a collection sorts on, mapped to a non-null SQL expression; ties go by id.
#[derive(Debug, Clone, Copy)]
pub struct Sort {
    pub name: &'static str,
    pub expr: &'static str,
    pub key: KeyType,
    /// The same key on the collection's region table, when that table holds it.
    pub keyed: Option<&'static str>,
}

/// A table holding each row of a collection once for every region at or above the row's
/// region, with the columns the common filters and sorts need: a region filter at any level
/// becomes one range of its key instead of a walk through every region below.
#[derive(Debug, Clone, Copy)]
pub struct Keyed {
    /// The table and its alias.
    pub table: &'static str,
    /// The row's id in it.
    pub id: &'static str,
    /// The filter whose presence makes the table the place rows are picked from.
    pub by: &'static str,
}

/// Where a collection's rows come from.
#[derive(Debug, Clone, Copy)]
pub enum Rows {
    /// A table (with its alias) and the id column; `keyed` as above, when there is one.
    Table {
        from: &'static str,
        id: &'static str,
        keyed: Option<Keyed>,
    },
    /// Rows made per request: the search's union of every collection. The function pushes a
    /// parenthesised relation aliased `h`, only what counting needs when `counting`.
    Union {
        push: fn(&mut QueryBuilder<'_, Sqlite>, &ListQuery, bool),
        id: &'static str,
    },
}

/// How `q` narrows a collection.
#[derive(Debug, Clone, Copy)]
pub enum Search {
    /// The collection's own entries in the full-text index.
    Index(&'static DocKind),
    /// A rule of its own; the function pushes ` AND (…)` with the given id expression.
    Custom(fn(&mut QueryBuilder<'_, Sqlite>, &str, &Term)),
}

/// A collection as the list and item routes serve it.
#[derive(Debug)]
pub struct Collection {
    /// Its name in URLs, `/v1/{name}`.
    pub name: &'static str,
    /// One of its items, in messages.
    pub noun: &'static str,
    pub rows: Rows,
    /// Columns the picked rows carry into the page as `sel.{name}` (search hits' names).
    pub carry: &'static [(&'static str, &'static str)],
    /// The fields of a listed item.
    pub fields: &'static [Field],
    /// What the single item adds.
    pub detail: &'static [Field],
    /// The first is the default.
    pub sorts: &'static [Sort],
    pub filters: &'static [Filter],
    pub search: Search,
    /// Whether a request must give `q` (the search route has nothing to list without it).
    pub requires_q: bool,
}

impl Collection {
    /// CSV's header: the fields, nested ones as `parent_child`.
    pub fn csv_columns(&self) -> Vec<String> {
        fn walk(prefix: &str, fields: &[Field], out: &mut Vec<String>) {
            for f in fields {
                let name = if prefix.is_empty() {
                    f.name.to_owned()
                } else {
                    format!("{prefix}_{}", f.name)
                };
                match f.shape {
                    Shape::Object(inner) => walk(&name, inner, out),
                    _ => out.push(name),
                }
            }
        }
        let mut out = Vec::new();
        walk("", self.fields, &mut out);
        out
    }

    pub fn filter(&self, param: &str) -> Option<&'static Filter> {
        self.filters.iter().find(|f| f.param == param)
    }
}

/// A filter's value once checked.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    Text(String),
    Number(f64),
    /// Several values of one enum, id or tag filter, any of which a row may match.
    Any(Vec<FilterValue>),
}

impl FilterValue {
    pub fn text(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Number(n) => n.to_string(),
            Self::Any(values) => values.iter().map(Self::text).collect::<Vec<_>>().join(","),
        }
    }

    /// The values a row may match: several for [`FilterValue::Any`], else this one.
    pub fn values(&self) -> Vec<&FilterValue> {
        match self {
            Self::Any(values) => values.iter().collect(),
            other => vec![other],
        }
    }

    pub fn number(&self) -> f64 {
        match self {
            Self::Number(n) => *n,
            Self::Text(s) => s.parse().unwrap_or(f64::NAN),
            Self::Any(_) => f64::NAN,
        }
    }
}

/// A sort key as a cursor carries it.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Text(String),
    Number(f64),
}

/// Where the previous page ended: the sort key and id of its last row.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub key: Key,
    pub id: String,
}

/// Everything a list request asked for, checked.
#[derive(Debug)]
pub struct ListQuery {
    pub collection: &'static Collection,
    /// In the order of the collection's filters.
    pub filters: Vec<(&'static Filter, FilterValue)>,
    pub q: Option<Term>,
    pub sort: &'static Sort,
    pub desc: bool,
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

/// A field that is a text column or expression, as most fields are.
pub(super) const fn text(name: &'static str, sql: &'static str) -> Field {
    Field {
        name,
        sql,
        shape: Shape::Text,
    }
}

/// A sort by a text expression, served by no table of its own.
pub(super) const fn sort(name: &'static str, expr: &'static str) -> Sort {
    Sort {
        name,
        expr,
        key: KeyType::Text,
        keyed: None,
    }
}
