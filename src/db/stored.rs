//! Every stored entity with all its fields, as a bundle would define it: what a draft of a new
//! article matches names against and copies the definitions of the entities it refers to from.

use std::collections::HashMap;

use sqlx::SqliteConnection;

use crate::bundle::model::{Enterprise, Indicator, Policy, Project, Region};

/// The stored entities, each collection in id order.
#[derive(Debug, Default, Clone)]
pub struct StoredEntities {
    pub regions: Vec<Region>,
    pub enterprises: Vec<Enterprise>,
    pub projects: Vec<Project>,
    pub policies: Vec<Policy>,
    pub indicators: Vec<Indicator>,
}

type RegionRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);
type EnterpriseRow = (String, String, String, String, Option<String>);
type ProjectRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);
type PolicyRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);
type IndicatorRow = (String, String, String, String, Option<String>);

/// Owner id → values, in the order they were stored (the order of the bundle that stored them).
async fn lists(
    conn: &mut SqliteConnection,
    sql: &str,
) -> Result<HashMap<String, Vec<String>>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(conn).await?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (owner, value) in rows {
        out.entry(owner).or_default().push(value);
    }
    Ok(out)
}

/// Reads them all; the caller picks the connection (a read transaction gives one snapshot).
pub async fn load(conn: &mut SqliteConnection) -> Result<StoredEntities, sqlx::Error> {
    let mut region_aliases = lists(
        conn,
        "SELECT region_id, alias FROM region_aliases ORDER BY rowid",
    )
    .await?;
    let mut enterprise_aliases = lists(
        conn,
        "SELECT enterprise_id, alias FROM enterprise_aliases ORDER BY rowid",
    )
    .await?;
    let mut industries = lists(
        conn,
        "SELECT enterprise_id, industry FROM enterprise_industries ORDER BY rowid",
    )
    .await?;
    let mut members = lists(
        conn,
        "SELECT project_id, enterprise_id FROM project_enterprises ORDER BY project_id, position",
    )
    .await?;

    let rows: Vec<RegionRow> = sqlx::query_as(
        "SELECT id, name_zh, name_en, level, parent_id, admin_code FROM regions ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let regions = rows
        .into_iter()
        .map(
            |(id, name_zh, name_en, level, parent_id, admin_code)| Region {
                aliases: region_aliases.remove(&id).unwrap_or_default(),
                id,
                name_zh,
                name_en,
                level,
                parent_id,
                admin_code,
            },
        )
        .collect();

    let rows: Vec<EnterpriseRow> =
        sqlx::query_as("SELECT id, name_zh, name_en, kind, region_id FROM enterprises ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    let enterprises = rows
        .into_iter()
        .map(|(id, name_zh, name_en, kind, region_id)| Enterprise {
            aliases: enterprise_aliases.remove(&id).unwrap_or_default(),
            industries: industries.remove(&id).unwrap_or_default(),
            id,
            name_zh,
            name_en,
            kind,
            region_id,
        })
        .collect();

    let rows: Vec<ProjectRow> = sqlx::query_as(
        "SELECT id, name_zh, name_en, region_id, status, started, description FROM projects ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let projects = rows
        .into_iter()
        .map(
            |(id, name_zh, name_en, region_id, status, started, description)| Project {
                enterprise_ids: members.remove(&id).unwrap_or_default(),
                id,
                name_zh,
                name_en,
                region_id,
                status,
                started,
                description,
            },
        )
        .collect();

    let rows: Vec<PolicyRow> = sqlx::query_as(
        "SELECT id, title_zh, title_en, region_id, issued, kind, summary FROM policies ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let policies = rows
        .into_iter()
        .map(
            |(id, title_zh, title_en, region_id, issued, kind, summary)| Policy {
                id,
                title_zh,
                title_en,
                region_id,
                issued,
                kind,
                summary,
            },
        )
        .collect();

    let rows: Vec<IndicatorRow> = sqlx::query_as(
        "SELECT id, name_zh, name_en, unit, description FROM indicators ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let indicators = rows
        .into_iter()
        .map(|(id, name_zh, name_en, unit, description)| Indicator {
            id,
            name_zh,
            name_en,
            unit,
            description,
        })
        .collect();

    Ok(StoredEntities {
        regions,
        enterprises,
        projects,
        policies,
        indicators,
    })
}
