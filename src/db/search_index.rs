//! Keeping the full-text index in step with the tables.
//!
//! Every write re-indexes what it touched inside its own transaction, so a search never sees a
//! bundle half-indexed; deletions are handled by triggers (migration `0002`). The index text
//! is read back from the tables rather than from the bundle, so the row and its index entry
//! cannot disagree, and a full rebuild runs the very same statements.

use sqlx::{Row, SqliteConnection, SqlitePool};

use crate::fts::index_text;

/// Names the segmentation that built the index; changing [`segment`] means changing this,
/// and every database rebuilds its index on the next start.
pub const VERSION: &str = "han-pairs-nfkc-singles-stems-2";

/// One kind of indexed row: the table with its alias and the text a search looks at.
#[derive(Debug)]
pub struct DocKind {
    pub kind: &'static str,
    pub table: &'static str,
    pub text: &'static str,
}

pub const REGION: DocKind = DocKind {
    kind: "region",
    table: "regions r",
    text: "r.id || ' ' || r.name_zh || ' ' || r.name_en || ' ' || COALESCE(r.admin_code, '') || ' ' || \
        COALESCE((SELECT group_concat(alias, ' ') FROM region_aliases WHERE region_id = r.id), '')",
};
pub const ENTERPRISE: DocKind = DocKind {
    kind: "enterprise",
    table: "enterprises e",
    text: "e.id || ' ' || e.name_zh || ' ' || e.name_en || ' ' || \
        COALESCE((SELECT group_concat(alias, ' ') FROM enterprise_aliases WHERE enterprise_id = e.id), '') || ' ' || \
        COALESCE((SELECT group_concat(industry, ' ') FROM enterprise_industries WHERE enterprise_id = e.id), '')",
};
pub const PROJECT: DocKind = DocKind {
    kind: "project",
    table: "projects p",
    text: "p.id || ' ' || p.name_zh || ' ' || p.name_en || ' ' || COALESCE(p.description, '')",
};
pub const POLICY: DocKind = DocKind {
    kind: "policy",
    table: "policies po",
    text: "po.id || ' ' || po.title_zh || ' ' || po.title_en || ' ' || COALESCE(po.summary, '')",
};
pub const INDICATOR: DocKind = DocKind {
    kind: "indicator",
    table: "indicators i",
    text: "i.id || ' ' || i.name_zh || ' ' || i.name_en || ' ' || COALESCE(i.description, '')",
};
pub const SOURCE: DocKind = DocKind {
    kind: "source",
    table: "sources s",
    text: "s.id || ' ' || s.title || ' ' || s.authors || ' ' || s.text",
};
/// A metric is found by its quote here; by its indicator and subject through theirs.
pub const METRIC: DocKind = DocKind {
    kind: "metric",
    table: "metrics m",
    text: "m.quote",
};

pub const KINDS: [&DocKind; 7] = [
    &REGION,
    &ENTERPRISE,
    &PROJECT,
    &POLICY,
    &INDICATOR,
    &SOURCE,
    &METRIC,
];

impl DocKind {
    /// The table's alias, the part of `table` after the space.
    pub fn alias(&self) -> &'static str {
        self.table.rsplit(' ').next().unwrap_or(self.table)
    }
}

/// Indexes the rows of `kind` picked by `filter` (a condition on the table's alias, with at
/// most one `?` bound to `arg`). Existing entries of those rows must be gone already.
async fn index_rows(
    conn: &mut SqliteConnection,
    kind: &DocKind,
    filter: &str,
    arg: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let a = kind.alias();
    let insert = format!(
        "INSERT INTO search_docs (kind, ref_id) SELECT '{}', {a}.id FROM {} WHERE {filter}",
        kind.kind, kind.table
    );
    let mut q = sqlx::query(&insert);
    if let Some(arg) = arg {
        q = q.bind(arg);
    }
    q.execute(&mut *conn).await?;

    // CROSS JOIN keeps the table's own filter in the outer loop; left to itself the planner
    // may walk every entry of the kind instead, which grows with the whole index.
    let select = format!(
        "SELECT d.rowid, {} FROM {} CROSS JOIN search_docs d ON d.kind = '{}' AND d.ref_id = {a}.id WHERE {filter}",
        kind.text, kind.table, kind.kind
    );
    let mut q = sqlx::query(&select);
    if let Some(arg) = arg {
        q = q.bind(arg);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    // Many rows to a statement: FTS5 writes what it holds to disk at the end of every
    // statement that changes it, so a statement per row leaves a segment per row for later
    // merges to fold together, which cost a new database most of its first start.
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut docs = Vec::with_capacity(chunk.len());
        for row in chunk {
            let rowid: i64 = row.try_get(0)?;
            let text: String = row.try_get(1)?;
            docs.push((rowid, index_text(&text)));
        }
        let docs = serde_json::to_string(&docs).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "INSERT INTO search_fts (rowid, body) \
             SELECT value ->> 0, value ->> 1 FROM json_each(?)",
        )
        .bind(docs)
        .execute(&mut *conn)
        .await?;
    }
    Ok(rows.len() as u64)
}

/// Documents indexed by one statement: few enough that their text stays a few megabytes.
const ROWS_PER_INSERT: usize = 2000;

/// Re-indexes one row after it was inserted or updated.
pub async fn reindex(
    conn: &mut SqliteConnection,
    kind: &DocKind,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM search_fts WHERE rowid IN (SELECT rowid FROM search_docs WHERE kind = ? AND ref_id = ?)",
    )
    .bind(kind.kind)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM search_docs WHERE kind = ? AND ref_id = ?")
        .bind(kind.kind)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    index_rows(conn, kind, &format!("{}.id = ?", kind.alias()), Some(id)).await?;
    Ok(())
}

/// Indexes the metrics of a source that was just written (its old ones left with triggers).
pub async fn index_metrics_of(
    conn: &mut SqliteConnection,
    source_id: &str,
) -> Result<u64, sqlx::Error> {
    index_rows(conn, &METRIC, "m.source_id = ?", Some(source_id)).await
}

/// Rebuilds the whole index when it was built by another segmentation (or never), in one
/// transaction so concurrent starts rebuild it once.
pub async fn ensure(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    if super::settings::holds(&mut tx, "search_index", VERSION).await? {
        return Ok(());
    }
    sqlx::query("DELETE FROM search_docs")
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
        .execute(&mut *tx)
        .await?;
    let mut total = 0;
    for kind in KINDS {
        total += index_rows(&mut tx, kind, "1 = 1", None).await?;
    }
    super::settings::set(&mut tx, "search_index", VERSION).await?;
    tx.commit().await?;
    tracing::info!(rows = total, version = VERSION, "search index built");
    Ok(())
}
