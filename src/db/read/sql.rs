//! The statements of a list request, built from a collection's description.
//!
//! A page is one statement. Its rows are picked first, by id and sort key only, with the
//! filters, the text search and the cursor (`p`, one index range when the filters and the sort
//! allow); the page's items are then built, as JSON objects or CSV lines, for those rows alone.
//! The same statement reads the data version, checks that every id a filter names exists, and
//! counts the matching rows when their total is not already known, so a request reaches
//! SQLite once.

use std::collections::HashMap;
use std::sync::LazyLock;

use sqlx::{QueryBuilder, Sqlite};

use super::{
    Collection, Field, FilterKind, FilterValue, Key, KeyType, ListQuery, Rows, Search, Shape,
};
use crate::bundle::dates::period_years;
use crate::db::search_index::DocKind;
use crate::fts::{Lookup, Term};

/// What a page statement builds for each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// One row; its last column holds a line per row picked, in order, each the item's JSON
    /// object, its id and its sort key, apart by [`UNIT`] (see [`page_query`]).
    Json,
    /// A row per item, its CSV line in the last column, the page's totals repeated on each.
    Csv,
}

/// A page statement's first column, `meta`, is a JSON array: the data version, the total
/// (null when left out), one existence check (1 or 0) per id filter, and for CSV the rows
/// fetched and the last row's id and key. Its last column holds the items.
pub const VERSION: usize = 0;
pub const TOTAL: usize = 1;
pub const CHECKS: usize = 2;

/// Separates an item's JSON object, id and key within its line. JSON as SQLite writes it
/// holds no raw control characters, so neither this nor the newline between lines can occur
/// inside one.
pub const UNIT: char = '\u{1f}';

/// Where one request picks its rows from.
struct From {
    id: &'static str,
    /// Picking from the collection's region table.
    keyed: bool,
    /// The region table joined to the collection's table, for what only the latter holds.
    joined: bool,
}

fn from(query: &ListQuery) -> From {
    match query.collection.rows {
        Rows::Table { id, keyed, .. } => match keyed {
            // Several regions at once would list a row once per region it lies in.
            Some(k)
                if query
                    .filters
                    .iter()
                    .any(|(f, v)| f.param == k.by && !matches!(v, FilterValue::Any(_))) =>
            {
                From {
                    id: k.id,
                    keyed: true,
                    joined: query.filters.iter().any(|(f, _)| f.keyed.is_none())
                        || query.sort.keyed.is_none(),
                }
            }
            _ => From {
                id,
                keyed: false,
                joined: false,
            },
        },
        Rows::Union { id, .. } => From {
            id,
            keyed: false,
            joined: false,
        },
    }
}

fn push_from(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery, f: &From, counting: bool) {
    match query.collection.rows {
        Rows::Table {
            from: table,
            id,
            keyed: Some(k),
        } if f.keyed => {
            qb.push(k.table);
            if f.joined {
                qb.push(format!(" CROSS JOIN {table} ON {id} = {}", k.id));
            }
        }
        Rows::Table { from: table, .. } => {
            qb.push(table);
        }
        Rows::Union { push, .. } => push(qb, query, counting),
    }
}

/// Pushes ` AND (sql)` with each `?` bound as `kind` says; several values are OR-ed.
pub(super) fn push_condition(
    qb: &mut QueryBuilder<'_, Sqlite>,
    sql: &str,
    kind: FilterKind,
    value: &FilterValue,
) {
    qb.push(" AND (");
    for (i, v) in value.values().into_iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push("(");
        push_bound(qb, sql, kind, v);
        qb.push(")");
    }
    qb.push(")");
}

/// Pushes `sql` with each `?` bound as `kind` says.
fn push_bound(qb: &mut QueryBuilder<'_, Sqlite>, sql: &str, kind: FilterKind, value: &FilterValue) {
    let text = value.text();
    let period = match kind {
        FilterKind::Period => period_years(&text),
        _ => None,
    };
    for (i, part) in sql.split('?').enumerate() {
        if i > 0 {
            match (kind, period) {
                (FilterKind::Period, Some((from, to))) => match i {
                    1 => qb.push_bind(i64::from(from)),
                    2 => qb.push_bind(i64::from(to)),
                    3 => qb.push_bind(text.clone()),
                    _ => qb.push_bind(format!("{text}-%")),
                },
                (FilterKind::Year, _) => qb.push_bind(value.number() as i64),
                (FilterKind::Number, _) => qb.push_bind(value.number()),
                _ => qb.push_bind(text.clone()),
            };
        }
        qb.push(part);
    }
}

/// Pushes a subquery selecting the ids of `kind` whose text matches `term`: from the
/// statement's `matched` rows when the index can answer (see [`push_with`]), else by a
/// literal scan of the same text.
pub fn push_matching(qb: &mut QueryBuilder<'_, Sqlite>, kind: &DocKind, term: &Term) {
    match &term.lookup {
        Lookup::Match(_) => {
            qb.push(format!(
                "SELECT ref_id FROM matched WHERE kind = '{}'",
                kind.kind
            ));
        }
        Lookup::Like(pattern) => {
            qb.push(format!(
                "SELECT {}.id FROM {} WHERE ({}) LIKE ",
                kind.alias(),
                kind.table,
                kind.text
            ));
            qb.push_bind(pattern.clone());
            qb.push(" ESCAPE '\\'");
        }
    }
}

/// Opens a statement with what its parts share: the search term as `term(t)`, and when the
/// full-text index can answer it, every indexed row matching it as `matched(kind, ref_id)`,
/// looked up once for all the collections a search or a metric's `q` looks at.
pub fn push_with(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
    qb.push("WITH term(t) AS (SELECT ");
    qb.push_bind(query.q.as_ref().map(|t| t.text.clone()));
    qb.push(")");
    if let Some(Term {
        lookup: Lookup::Match(expr),
        ..
    }) = &query.q
    {
        qb.push(
            ", matched(kind, ref_id) AS MATERIALIZED (SELECT kind, ref_id FROM search_docs \
             WHERE rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ",
        );
        qb.push_bind(expr.clone());
        qb.push("))");
    }
}

fn push_where(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery, f: &From) {
    qb.push(" WHERE 1 = 1");
    for (filter, value) in &query.filters {
        let sql = match filter.keyed {
            Some(keyed) if f.keyed => keyed,
            _ => filter.sql,
        };
        push_condition(qb, sql, filter.kind, value);
    }
    if let Some(term) = &query.q {
        match query.collection.search {
            Search::Index(doc) => {
                qb.push(format!(" AND {} IN (", f.id));
                push_matching(qb, doc, term);
                qb.push(")");
            }
            Search::Custom(push) => push(qb, f.id, term),
        }
    }
}

fn sort_expr(query: &ListQuery, f: &From) -> &'static str {
    match query.sort.keyed {
        Some(keyed) if f.keyed => keyed,
        _ => query.sort.expr,
    }
}

fn direction(query: &ListQuery) -> &'static str {
    if query.desc { "DESC" } else { "ASC" }
}

/// The statement counting every row a list request matches. `prefix` goes before it, so a
/// test can ask SQLite how it would run the very statement a request runs.
pub fn count_query(query: &ListQuery, prefix: &str) -> QueryBuilder<'static, Sqlite> {
    let mut qb = QueryBuilder::new(prefix);
    push_with(&mut qb, query);
    qb.push(" ");
    push_count(&mut qb, query);
    qb
}

fn push_count(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
    // A total over a region's facts about an indicator is the sum of a few hundred counts
    // kept per region instead of a walk over tens of thousands of facts.
    if let Some(cells) = super::cells::plan(query, []) {
        qb.push(format!(
            "SELECT CASE WHEN {} THEN (SELECT COALESCE(SUM(m.n), 0)",
            super::cells::FRESH
        ));
        super::cells::push_from(qb, query, cells, super::cells::Scope::Selected);
        qb.push(") ELSE (");
        push_count_of_rows(qb, query);
        qb.push(") END");
        return;
    }
    push_count_of_rows(qb, query);
}

/// Pushes the statement counting the rows themselves.
fn push_count_of_rows(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
    let f = from(query);
    qb.push("SELECT COUNT(*) FROM ");
    push_from(qb, query, &f, true);
    push_where(qb, query, &f);
}

/// Pushes `SELECT id FROM … WHERE …`: the ids of every row a list request matches, pages
/// aside, for figures computed over all of them (facets, breakdowns, series), so they count
/// exactly the rows the list would show.
pub fn push_matching_ids(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
    let f = from(query);
    qb.push(format!("SELECT {} AS id FROM ", f.id));
    push_from(qb, query, &f, true);
    push_where(qb, query, &f);
}

/// Pushes the query picking the page's rows (one more than the limit, to learn whether a next
/// page exists) as `id`, `k` (the sort key) and the collection's carried columns.
fn push_pick(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
    let f = from(query);
    let expr = sort_expr(query, &f);
    // SQLite hands back INTEGER for whole REALs in expressions; the cast keeps the key type fixed.
    let key = match query.sort.key {
        KeyType::Text => expr.to_owned(),
        KeyType::Number => format!("CAST({expr} AS REAL)"),
    };
    qb.push(format!("SELECT {} AS id, {key} AS k", f.id));
    for (sql, name) in query.collection.carry {
        qb.push(format!(", {sql} AS {name}"));
    }
    qb.push(" FROM ");
    push_from(qb, query, &f, false);
    push_page_tail(qb, query);
}

/// Pushes what narrows rows to the page: the filters and search, the rows after the cursor,
/// the order, and one more row than the limit. A union of rows made per request pushes it
/// into each of its parts too, so no part hands on more rows than the page can take.
pub fn push_page_tail(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
    let f = from(query);
    let expr = sort_expr(query, &f);
    push_where(qb, query, &f);
    if let Some(c) = &query.cursor {
        let op = if query.desc { " < " } else { " > " };
        if expr == f.id {
            qb.push(format!(" AND {}{op}", f.id));
            qb.push_bind(c.id.clone());
        } else {
            // A row value, which SQLite turns into one seek on the (key, id) index, so a page
            // deep in the list costs what the first one does.
            qb.push(format!(" AND ({expr}, {}){op}(", f.id));
            match &c.key {
                Key::Number(n) => qb.push_bind(*n),
                Key::Text(s) => qb.push_bind(s.clone()),
            };
            qb.push(", ");
            qb.push_bind(c.id.clone());
            qb.push(")");
        }
    }
    let dir = direction(query);
    qb.push(format!(" ORDER BY {expr} {dir}, {} {dir} LIMIT ", f.id));
    // `limit=0` asks for the total and facets alone, with no page to follow, so no row is
    // picked (the first row in order can take a sort of every matching row to find).
    qb.push_bind(if query.limit == 0 { 0 } else { query.limit + 1 });
}

/// The JSON object of an item with these fields.
pub fn json_object(fields: &[Field]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|f| {
            let value = match f.shape {
                Shape::Text | Shape::Integer => f.sql.to_owned(),
                Shape::Number => format!("json(fact_number({}))", f.sql),
                Shape::List => format!("json({})", f.sql),
                Shape::Object(inner) => json_object(inner),
            };
            format!("'{}', {value}", f.name)
        })
        .collect();
    format!("json_object({})", parts.join(", "))
}

/// The CSV line of an item with these fields, nested ones flattened.
fn csv_line(fields: &[Field]) -> String {
    fn walk(fields: &[Field], shapes: &mut String, values: &mut Vec<&'static str>) {
        for f in fields {
            match f.shape {
                Shape::Object(inner) => walk(inner, shapes, values),
                Shape::List => {
                    shapes.push('l');
                    values.push(f.sql);
                }
                _ => {
                    shapes.push('v');
                    values.push(f.sql);
                }
            }
        }
    }
    let mut shapes = String::new();
    let mut values = Vec::new();
    walk(fields, &mut shapes, &mut values);
    format!("fact_csv('{shapes}', {})", values.join(", "))
}

/// Each collection's item as a JSON object and as a CSV line, built once.
static ITEMS: LazyLock<HashMap<&'static str, (String, String)>> = LazyLock::new(|| {
    super::COLLECTIONS
        .iter()
        .copied()
        .chain([&super::search::SEARCH])
        .map(|c| (c.name, (json_object(c.fields), csv_line(c.fields))))
        .collect()
});

fn item_sql(collection: &Collection, output: Output) -> String {
    match (ITEMS.get(collection.name), output) {
        (Some((json, _)), Output::Json) => json.clone(),
        (Some((_, csv)), Output::Csv) => csv.clone(),
        (None, Output::Json) => json_object(collection.fields),
        (None, Output::Csv) => csv_line(collection.fields),
    }
}

/// The join that reaches a picked row's table from `sel`.
fn build_join(collection: &Collection) -> String {
    match collection.rows {
        Rows::Table { from, id, .. } => format!(" CROSS JOIN {from} ON {id} = sel.id"),
        Rows::Union { .. } => String::new(),
    }
}

/// The `meta` column (see [`VERSION`]); `csv` adds the rows fetched and the last row.
fn push_meta(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery, with_total: bool, csv: bool) {
    // A subquery of its own, so SQLite builds it once however many rows repeat it.
    qb.push("(SELECT json_array((SELECT version FROM data_version WHERE id = 1), ");
    if with_total {
        qb.push("(");
        push_count(qb, query);
        qb.push(")");
    } else {
        qb.push("NULL");
    }
    for (filter, value) in &query.filters {
        if let FilterKind::Ref(exists) = filter.kind {
            // One check for each id the filter names (`region=gansu,jinchang`).
            for v in value.values() {
                qb.push(", (");
                push_bound(qb, exists, filter.kind, v);
                qb.push(")");
            }
        }
    }
    if csv {
        let dir = direction(query);
        qb.push(format!(
            ", (SELECT COUNT(*) FROM sel), (SELECT {} FROM sel ORDER BY k {dir}, id {dir} LIMIT 1 OFFSET ",
            key_of(query)
        ));
        qb.push_bind(query.limit - 1);
        qb.push(")");
    }
    qb.push(")) AS meta, ");
}

/// A picked row's id and sort key, as JSON values apart by [`UNIT`]: what a cursor is made
/// of, exact (a REAL written as [`fact_number`] writes it, not as SQLite would).
///
/// [`fact_number`]: crate::db::functions::write_number
fn key_of(query: &ListQuery) -> &'static str {
    match query.sort.key {
        KeyType::Text => "json_quote(sel.id) || char(31) || json_quote(sel.k)",
        KeyType::Number => "json_quote(sel.id) || char(31) || fact_number(sel.k)",
    }
}

/// The one statement answering a page; `prefix` as for [`count_query`].
///
/// As JSON, the picked rows (one more than the limit, which tells whether a next page exists)
/// are built and gathered in page order into one value, a line each: the item, its id and its
/// key, the last two for the cursor. One row comes back, and SQLite sorts nothing but that
/// page. As CSV, the rows come back one by one, each with the page's totals, so the response
/// can start before the last line is built.
pub fn page_query(
    query: &ListQuery,
    output: Output,
    with_total: bool,
    prefix: &str,
) -> QueryBuilder<'static, Sqlite> {
    let dir = direction(query);
    let collection = query.collection;
    let build = build_join(collection);
    let mut qb = QueryBuilder::new(prefix);
    push_with(&mut qb, query);
    match output {
        Output::Json => {
            qb.push(" SELECT ");
            push_meta(&mut qb, query, with_total, false);
            qb.push(format!(
                "(SELECT group_concat({} || char(31) || {}, char(10) ORDER BY sel.k {dir}, sel.id {dir}) FROM (",
                item_sql(collection, Output::Json),
                key_of(query),
            ));
            push_pick(&mut qb, query);
            qb.push(format!(") sel{build}) AS items"));
        }
        Output::Csv => {
            qb.push(", sel AS MATERIALIZED (");
            push_pick(&mut qb, query);
            qb.push(") SELECT ");
            push_meta(&mut qb, query, with_total, true);
            // The page's rows are cut from the picked ones before their lines are built, and
            // sorted after: an ORDER BY with a LIMIT would keep its rows, lines and all, in a
            // B-tree.
            qb.push(format!(
                "{} AS line FROM (SELECT * FROM sel ORDER BY k {dir}, id {dir} LIMIT ",
                item_sql(collection, Output::Csv)
            ));
            qb.push_bind(query.limit);
            qb.push(format!(") sel{build} ORDER BY sel.k {dir}, sel.id {dir}"));
        }
    }
    qb
}

/// The statement reading one item by id, as JSON.
pub fn item_query(collection: &Collection) -> Option<String> {
    let Rows::Table { from, id, .. } = collection.rows else {
        return None;
    };
    let fields: Vec<Field> = collection
        .fields
        .iter()
        .chain(collection.detail)
        .copied()
        .collect();
    Some(format!(
        "SELECT {}, (SELECT version FROM data_version WHERE id = 1) FROM {from} WHERE {id} = ?",
        json_object(&fields)
    ))
}

/// What decides a total: the collection, its filters and the search term; not the sort, the
/// page size or the cursor.
pub fn count_key(query: &ListQuery) -> String {
    let mut key = String::from(query.collection.name);
    for (filter, value) in &query.filters {
        key.push('\0');
        key.push_str(filter.param);
        key.push('=');
        key.push_str(&value.text());
    }
    if let Some(term) = &query.q {
        key.push_str("\0q=");
        key.push_str(&term.text);
    }
    key
}
