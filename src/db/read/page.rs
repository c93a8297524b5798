//! Running a page statement and reading its answer: the page's items as SQLite built them, the
//! total, where the next page starts, and the ids a filter named that do not exist.

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use crate::db::budget::{Reads, Weight};

use super::sql::{self, CHECKS, Output, TOTAL, UNIT, VERSION};
use super::{Collection, Counts, Cursor, FilterKind, Key, KeyType, ListQuery};
use crate::db::error::{Error, Result};
use crate::problems::ParamProblem;

/// One page as JSON.
#[derive(Debug)]
pub struct Page {
    /// The items' JSON objects, joined by commas.
    pub items: String,
    pub total: i64,
    pub limit: i64,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
    /// The data version the page was read at.
    pub version: i64,
}

/// One page as CSV, its lines still coming from SQLite.
pub struct CsvPage {
    pub total: i64,
    /// The data version the page was read at.
    pub version: i64,
    pub limit: i64,
    pub next: Option<Cursor>,
    /// The header line, then a line per item.
    pub lines: BoxStream<'static, Result<Bytes, sqlx::Error>>,
}

/// Rows of a CSV page held between SQLite and the response body.
const CSV_ROWS_IN_FLIGHT: usize = 64;

/// What a page statement says before its items.
struct Meta {
    version: i64,
    total: Option<i64>,
    /// The rows picked and the last row's id and key (CSV only).
    fetched: i64,
    last: Option<String>,
}

fn read_meta(row: &SqliteRow, query: &ListQuery) -> Result<Meta> {
    let raw: String = row.try_get(0)?;
    let bad = || Error::Internal(format!("a page statement gave the meta `{raw}`"));
    let meta: Vec<serde_json::Value> = serde_json::from_str(&raw).map_err(|_| bad())?;
    let mut problems = Vec::new();
    let mut column = CHECKS;
    for (filter, value) in &query.filters {
        if let FilterKind::Ref(_) = filter.kind {
            for v in value.values() {
                let exists = meta.get(column).and_then(|v| v.as_i64()).ok_or_else(bad)?;
                column += 1;
                if exists == 0 {
                    problems.push(ParamProblem {
                        param: filter.param.to_owned(),
                        message: format!(
                            "no {} with id `{}`",
                            filter.param.replace('_', " "),
                            v.text()
                        ),
                    });
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(Meta {
        version: meta.get(VERSION).and_then(|v| v.as_i64()).ok_or_else(bad)?,
        total: meta.get(TOTAL).and_then(|v| v.as_i64()),
        fetched: meta
            .get(column)
            .and_then(|v| v.as_i64())
            .unwrap_or_default(),
        last: meta
            .get(column + 1)
            .and_then(|v| v.as_str())
            .map(str::to_owned),
    })
}

/// A cursor from a picked row's id and key as [`sql::page_query`] writes them.
fn cursor_of(id_and_key: &str, query: &ListQuery) -> Result<Cursor> {
    let bad = || Error::Internal(format!("a page statement gave the key `{id_and_key}`"));
    let (id, key) = id_and_key.split_once(UNIT).ok_or_else(bad)?;
    let id: String = serde_json::from_str(id).map_err(|_| bad())?;
    let key = match query.sort.key {
        KeyType::Text => Key::Text(serde_json::from_str(key).map_err(|_| bad())?),
        KeyType::Number => Key::Number(serde_json::from_str(key).map_err(|_| bad())?),
    };
    Ok(Cursor { key, id })
}

/// Runs `open` with the total left out when `counts` has it for the version the statement
/// will most likely run under, and again with the total when the statement ran under another.
async fn with_total<T, F, Fut>(
    counts: &Counts,
    version: Option<i64>,
    query: &ListQuery,
    open: F,
) -> Result<(T, Meta, i64)>
where
    F: Fn(bool) -> Fut,
    Fut: std::future::Future<Output = Result<(T, SqliteRow)>>,
{
    let key = sql::count_key(query);
    let expected = version.or_else(|| counts.latest());
    let known = expected.and_then(|v| counts.get(v, &key));
    let (out, row) = open(known.is_none()).await?;
    let meta = read_meta(&row, query)?;
    counts.saw(meta.version);
    match (meta.total, known) {
        (Some(total), _) => {
            counts.put(meta.version, key, total);
            Ok((out, meta, total))
        }
        (None, Some(total)) if expected == Some(meta.version) => Ok((out, meta, total)),
        // The data moved since the total was counted: count again, under the new version.
        _ => {
            drop(out);
            let (out, row) = open(true).await?;
            let meta = read_meta(&row, query)?;
            counts.saw(meta.version);
            let total = meta.total.unwrap_or_default();
            counts.put(meta.version, key, total);
            Ok((out, meta, total))
        }
    }
}

/// Searching text is what can grow expensive; a plain list walks an index a page at a time.
fn weight(query: &ListQuery) -> Weight {
    if query.q.is_some() {
        Weight::Heavy
    } else {
        Weight::Light
    }
}

/// One page of a list as JSON; `version` is the data version the caller already read, if any.
/// Each statement runs on a connection under the read budget of `reads`.
pub async fn fetch_page(
    pool: &SqlitePool,
    reads: &Reads,
    counts: &Counts,
    version: Option<i64>,
    query: &ListQuery,
) -> Result<Page> {
    let (lines, meta, total) = with_total(counts, version, query, |count| async move {
        let mut conn = reads.acquire(pool, weight(query)).await?;
        let row = sql::page_query(query, Output::Json, count, "")
            .build()
            .fetch_one(&mut *conn)
            .await?;
        let lines: Option<String> = row.try_get(row.len() - 1)?;
        Ok((lines, row))
    })
    .await?;
    let lines = lines.unwrap_or_default();
    let limit = query.limit as usize;
    let mut items = String::with_capacity(lines.len());
    let mut next = None;
    let mut last = "";
    for (i, line) in lines.split('\n').filter(|l| !l.is_empty()).enumerate() {
        if i == limit {
            // A row after the page's last: there is a next page, starting after that one
            // (`limit=0` asks for the total and facets alone: no page to follow).
            if limit > 0 {
                next = Some(cursor_of(last, query)?);
            }
            break;
        }
        let (item, id_and_key) = line.split_once(UNIT).unwrap_or((line, ""));
        if i > 0 {
            items.push(',');
        }
        items.push_str(item);
        last = id_and_key;
    }
    Ok(Page {
        items,
        total,
        limit: query.limit,
        next,
        version: meta.version,
    })
}

type Rows = tokio::sync::mpsc::Receiver<Result<SqliteRow, sqlx::Error>>;

/// Starts a CSV page statement and waits for its first row, which carries the page's totals
/// (`None` for an empty page); the rest come through the channel as SQLite produces them.
async fn open_csv(
    pool: &SqlitePool,
    reads: &Reads,
    query: &ListQuery,
    count: bool,
) -> Result<(Rows, Option<SqliteRow>)> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(CSV_ROWS_IN_FLIGHT);
    let mut statement = sql::page_query(query, Output::Csv, count, "");
    // The connection, with its budget, goes with the statement until the last line is read.
    let mut conn = reads.acquire(pool, weight(query)).await?;
    tokio::spawn(async move {
        let mut rows = statement.build().fetch(&mut *conn);
        while let Some(row) = rows.next().await {
            let failed = row.is_err();
            // A closed channel means the client went away: stop reading.
            if tx.send(row).await.is_err() || failed {
                break;
            }
        }
    });
    match rx.recv().await {
        Some(Ok(row)) => Ok((rx, Some(row))),
        Some(Err(e)) => Err(e.into()),
        None => Ok((rx, None)),
    }
}

fn line(row: &SqliteRow) -> Result<Bytes, sqlx::Error> {
    let line: Option<String> = row.try_get(row.len() - 1)?;
    Ok(line.map(Bytes::from).unwrap_or_default())
}

/// One page of a list as CSV, streamed: the lines are written to the response as SQLite
/// builds them rather than gathered first.
pub async fn stream_csv(
    pool: &SqlitePool,
    reads: &Reads,
    counts: &Counts,
    version: Option<i64>,
    query: &ListQuery,
) -> Result<CsvPage> {
    let ((rx, first), meta, total) = with_total(counts, version, query, |count| async move {
        let (rx, row) = open_csv(pool, reads, query, count).await?;
        match row {
            Some(row) => {
                let first = line(&row);
                Ok(((rx, Some(first)), row))
            }
            // No rows, so no totals on them: the JSON statement has them, and no items.
            None => {
                let mut conn = reads.acquire(pool, weight(query)).await?;
                let row = sql::page_query(query, Output::Json, count, "")
                    .build()
                    .fetch_one(&mut *conn)
                    .await?;
                Ok(((rx, None), row))
            }
        }
    })
    .await?;
    let next = match meta.last {
        Some(last) if meta.fetched > query.limit && query.limit > 0 => {
            Some(cursor_of(&last, query)?)
        }
        _ => None,
    };
    let mut header = Vec::new();
    crate::db::functions::write_record(query.collection.csv_columns(), &mut header);
    let rest = stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|row| (row.and_then(|r| line(&r)), rx))
    });
    let lines = stream::iter(std::iter::once(Ok(Bytes::from(header))).chain(first))
        .chain(rest)
        .boxed();
    Ok(CsvPage {
        total,
        version: meta.version,
        limit: query.limit,
        next,
        lines,
    })
}

/// One item by id as JSON with the data version it was read at, `None` when there is no
/// such item.
pub async fn fetch_item(
    pool: &SqlitePool,
    reads: &Reads,
    collection: &Collection,
    id: &str,
) -> Result<Option<(String, i64)>> {
    let Some(statement) = sql::item_query(collection) else {
        return Ok(None);
    };
    let mut conn = reads.acquire(pool, Weight::Light).await?;
    Ok(sqlx::query_as(&statement)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}
