//! The SQL of writes: storing a validated bundle and deleting a source, each on a connection
//! inside a transaction its caller owns, and reading what validation needs to know.

use serde::Serialize;
use serde_json::Value;
use sqlx::{SqliteConnection, SqlitePool};

use super::entities::{self, OnChangedEntity};
use super::error::{Error, Result};
use crate::bundle::dates::period_bounds;
use crate::bundle::{self, Catalog, ValidBundle};

/// What happens when the bundle's source is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnExisting {
    Refuse,
    Replace,
}

/// How a write treats what is already stored: the bundle's source, and the entities it
/// names. A plain [`OnExisting`] leaves stored entities as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteMode {
    pub on_existing: OnExisting,
    pub on_changed_entity: OnChangedEntity,
}

impl From<OnExisting> for WriteMode {
    fn from(on_existing: OnExisting) -> Self {
        Self {
            on_existing,
            on_changed_entity: OnChangedEntity::Refuse,
        }
    }
}

/// What a write stored: the bundle's counts per collection, and what changed in the database,
/// which is what the write log records and what a client can check a replacement against.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct StoreSummary {
    pub source_id: String,
    pub replaced: bool,
    pub regions: usize,
    pub enterprises: usize,
    pub projects: usize,
    pub policies: usize,
    pub indicators: usize,
    pub metrics: usize,
    /// Entities of the bundle that were not stored before.
    pub entities_added: usize,
    /// Entities of the bundle that were stored before with other fields, and now hold the
    /// bundle's (only with `entities=update`).
    pub entities_updated: usize,
    /// Entities of the bundle that were stored before with exactly the bundle's fields.
    pub entities_unchanged: usize,
    /// Metrics of the replaced source that were removed (0 for a new source).
    pub metrics_removed: usize,
}

/// The stored entities a bundle is validated against, with the data version they are at:
/// read in one transaction, so the version says exactly which state the catalog is of.
pub async fn snapshot(pool: &SqlitePool) -> Result<(i64, Catalog), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let version = version(&mut tx).await?;
    let catalog = Catalog::load(&mut tx).await?;
    tx.rollback().await?;
    Ok((version, catalog))
}

/// The data version as this connection sees it (see [`super::data_version`]).
pub async fn version(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
        .fetch_one(conn)
        .await
}

/// Validates `raw` against what is stored and stores it, all inside the caller's transaction;
/// for the seed at start-up, which has no one to wait for.
pub async fn ingest_in(
    conn: &mut SqliteConnection,
    raw: &Value,
    mode: impl Into<WriteMode>,
) -> Result<StoreSummary> {
    let mode = mode.into();
    let catalog = Catalog::load(conn).await?;
    let valid = bundle::parse_and_validate(raw, &catalog).map_err(Error::InvalidBundle)?;
    let exists = catalog.sources.contains(&valid.bundle.source.id);
    if exists && mode.on_existing == OnExisting::Refuse {
        return Err(Error::SourceExists(valid.bundle.source.id.clone()));
    }
    let entities = entities::compare(conn, &valid).await?;
    entities.allowed(mode.on_changed_entity)?;
    let mut summary = write(conn, &valid, exists).await?;
    entities::record_definitions(conn, &summary.source_id, &entities).await?;
    summary.entities_added = entities.added();
    summary.entities_updated = entities.updated();
    summary.entities_unchanged = entities.unchanged();
    Ok(summary)
}

/// Writes a validated bundle on a connection inside an open transaction.
pub async fn write(
    conn: &mut SqliteConnection,
    valid: &ValidBundle,
    replace: bool,
) -> Result<StoreSummary, sqlx::Error> {
    let b = &valid.bundle;
    // Entities may name parents defined later in the same bundle; check keys at commit.
    sqlx::query("PRAGMA defer_foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    let mut metrics_removed = 0;
    if replace {
        // The one way a source goes, whether deleted or replaced.
        metrics_removed = delete_source(conn, &b.source.id).await?.unwrap_or(0) as usize;
    }
    let s = &b.source;
    sqlx::query(
        "INSERT INTO sources (id, title, publication, published, authors, url, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&s.id)
    .bind(&s.title)
    .bind(&s.publication)
    .bind(&s.published)
    .bind(serde_json::to_string(&s.authors).unwrap_or_else(|_| "[]".into()))
    .bind(&s.url)
    .bind(&s.text)
    .execute(&mut *conn)
    .await?;

    for r in &b.regions {
        sqlx::query(
            "INSERT INTO regions (id, name_zh, name_en, level, parent_id, admin_code) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
               level = excluded.level, parent_id = excluded.parent_id, admin_code = excluded.admin_code",
        )
        .bind(&r.id)
        .bind(&r.name_zh)
        .bind(&r.name_en)
        .bind(&r.level)
        .bind(&r.parent_id)
        .bind(&r.admin_code)
        .execute(&mut *conn)
        .await?;
        replace_list(
            conn,
            "region_aliases",
            "region_id",
            "alias",
            &r.id,
            &r.aliases,
        )
        .await?;
    }
    for e in &b.enterprises {
        sqlx::query(
            "INSERT INTO enterprises (id, name_zh, name_en, kind, region_id) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
               kind = excluded.kind, region_id = excluded.region_id",
        )
        .bind(&e.id)
        .bind(&e.name_zh)
        .bind(&e.name_en)
        .bind(&e.kind)
        .bind(&e.region_id)
        .execute(&mut *conn)
        .await?;
        replace_list(
            conn,
            "enterprise_aliases",
            "enterprise_id",
            "alias",
            &e.id,
            &e.aliases,
        )
        .await?;
        replace_list(
            conn,
            "enterprise_industries",
            "enterprise_id",
            "industry",
            &e.id,
            &e.industries,
        )
        .await?;
    }
    for p in &b.projects {
        sqlx::query(
            "INSERT INTO projects (id, name_zh, name_en, region_id, status, started, description) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
               region_id = excluded.region_id, status = excluded.status, started = excluded.started,
               description = excluded.description",
        )
        .bind(&p.id)
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(&p.region_id)
        .bind(&p.status)
        .bind(&p.started)
        .bind(&p.description)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM project_enterprises WHERE project_id = ?")
            .bind(&p.id)
            .execute(&mut *conn)
            .await?;
        for (position, enterprise) in p.enterprise_ids.iter().enumerate() {
            sqlx::query("INSERT INTO project_enterprises (project_id, enterprise_id, position) VALUES (?, ?, ?)")
                .bind(&p.id)
                .bind(enterprise)
                .bind(position as i64)
                .execute(&mut *conn)
                .await?;
        }
    }
    for p in &b.policies {
        sqlx::query(
            "INSERT INTO policies (id, title_zh, title_en, region_id, issued, kind, summary) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET title_zh = excluded.title_zh, title_en = excluded.title_en,
               region_id = excluded.region_id, issued = excluded.issued, kind = excluded.kind, summary = excluded.summary",
        )
        .bind(&p.id)
        .bind(&p.title_zh)
        .bind(&p.title_en)
        .bind(&p.region_id)
        .bind(&p.issued)
        .bind(&p.kind)
        .bind(&p.summary)
        .execute(&mut *conn)
        .await?;
    }
    for i in &b.indicators {
        sqlx::query(
            "INSERT INTO indicators (id, name_zh, name_en, unit, description) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
               unit = excluded.unit, description = excluded.description",
        )
        .bind(&i.id)
        .bind(&i.name_zh)
        .bind(&i.name_en)
        .bind(&i.unit)
        .bind(&i.description)
        .execute(&mut *conn)
        .await?;
    }
    for r in &valid.metrics {
        let m = &r.metric;
        let (period_start, period_end) = m
            .period
            .as_deref()
            .and_then(period_bounds)
            .map_or((None, None), |(a, b)| (Some(a), Some(b)));
        sqlx::query(
            "INSERT INTO metrics (id, source_id, position, indicator, subject_type, subject_id, region_id, value,
               value_max, unit, qualifier, kind, period, period_from, period_to, period_start, period_end,
               original, quote, quote_start)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&r.id)
        .bind(&s.id)
        .bind(r.position)
        .bind(&m.indicator)
        .bind(&m.subject.type_)
        .bind(&m.subject.id)
        .bind(&r.region_id)
        .bind(m.value)
        .bind(m.value_max)
        .bind(&m.unit)
        .bind(&m.qualifier)
        .bind(&m.kind)
        .bind(&m.period)
        .bind(r.period_from)
        .bind(r.period_to)
        .bind(period_start)
        .bind(period_end)
        .bind(&m.original)
        .bind(&m.quote)
        .bind(r.quote_start)
        .execute(&mut *conn)
        .await?;
    }
    if !b.regions.is_empty() {
        super::closure::rebuild(conn).await?;
    }
    super::metric_cells::settle(conn).await?;
    index(conn, valid).await?;
    Ok(StoreSummary {
        source_id: s.id.clone(),
        replaced: replace,
        regions: b.regions.len(),
        enterprises: b.enterprises.len(),
        projects: b.projects.len(),
        policies: b.policies.len(),
        indicators: b.indicators.len(),
        metrics: valid.metrics.len(),
        entities_added: 0,
        entities_updated: 0,
        entities_unchanged: 0,
        metrics_removed,
    })
}

/// Deletes a source and its metrics; how many metrics went, or `None` when there is no such
/// source.
pub async fn delete_source(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<u64>, sqlx::Error> {
    // Metrics first, explicitly: the cascade would remove them too, but uncounted.
    let metrics_removed = sqlx::query("DELETE FROM metrics WHERE source_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    let deleted = sqlx::query("DELETE FROM sources WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    super::metric_cells::settle(conn).await?;
    Ok((deleted > 0).then_some(metrics_removed))
}

/// Brings the search index up to date with everything the bundle wrote.
async fn index(conn: &mut SqliteConnection, valid: &ValidBundle) -> Result<(), sqlx::Error> {
    use super::search_index::{self as si, reindex};
    let b = &valid.bundle;
    for r in &b.regions {
        reindex(conn, &si::REGION, &r.id).await?;
    }
    for e in &b.enterprises {
        reindex(conn, &si::ENTERPRISE, &e.id).await?;
    }
    for p in &b.projects {
        reindex(conn, &si::PROJECT, &p.id).await?;
    }
    for p in &b.policies {
        reindex(conn, &si::POLICY, &p.id).await?;
    }
    for i in &b.indicators {
        reindex(conn, &si::INDICATOR, &i.id).await?;
    }
    reindex(conn, &si::SOURCE, &b.source.id).await?;
    si::index_metrics_of(conn, &b.source.id).await?;
    Ok(())
}

/// Replaces the rows of a list-valued field (aliases, industries) of one entity.
/// Table and column names come from the call sites above, never from input.
async fn replace_list(
    conn: &mut SqliteConnection,
    table: &str,
    owner_column: &str,
    value_column: &str,
    owner: &str,
    values: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("DELETE FROM {table} WHERE {owner_column} = ?"))
        .bind(owner)
        .execute(&mut *conn)
        .await?;
    for value in values {
        sqlx::query(&format!(
            "INSERT INTO {table} ({owner_column}, {value_column}) VALUES (?, ?)"
        ))
        .bind(owner)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
