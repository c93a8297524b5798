//! The table of metrics by region (migration `0005`): each metric once for every region at or
//! above its own, so a region filter at any level reads one index range. Triggers keep it
//! while metrics come and go; [`adjust`] moves the rows of regions whose ancestors change when
//! the closure is rebuilt; [`ensure`] fills it for a database whose metrics predate it.

use sqlx::{SqliteConnection, SqlitePool};

/// Names how the table is filled; a database whose `settings` name another (or none) has it
/// filled on start, and a read-only replica refuses it until then.
pub const VERSION: &str = "ancestors-1";

/// Fills the whole table from the metrics and the closure, in key order so SQLite appends
/// instead of inserting at random places.
pub async fn fill(conn: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
    sqlx::query("DELETE FROM metric_regions")
        .execute(&mut *conn)
        .await?;
    let filled = sqlx::query(
        "INSERT INTO metric_regions (ancestor, indicator, value, id)
         SELECT c.ancestor, m.indicator, m.value, m.id
           FROM metrics m JOIN region_closure c ON c.descendant = m.region_id
          ORDER BY 1, 2, 3, 4",
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    super::settings::set(conn, "metric_regions", VERSION).await?;
    Ok(filled)
}

/// Fills the table once, in one transaction, when the database does not say it is filled.
pub async fn ensure(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    if is_filled(&mut tx).await? {
        return Ok(());
    }
    let rows = fill(&mut tx).await?;
    tx.commit().await?;
    tracing::info!(rows, "metrics by region filled");
    Ok(())
}

pub async fn is_filled(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    super::settings::holds(conn, "metric_regions", VERSION).await
}

/// Moves the rows of regions whose ancestors changed, from the closure as it is to the one in
/// `temp.closure_next`, so a write that adds a few regions touches only their facts: one
/// statement files the metrics of every (ancestor, region) pair that came, and one indexed
/// statement per pair that went (only a moved region loses ancestors) takes them out.
pub async fn adjust(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let gone: Vec<(String, String)> = sqlx::query_as(
        "SELECT ancestor, descendant FROM main.region_closure
         EXCEPT SELECT ancestor, descendant FROM temp.closure_next",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (ancestor, region) in gone {
        sqlx::query(
            "DELETE FROM metric_regions
              WHERE ancestor = ? AND id IN (SELECT id FROM metrics WHERE region_id = ?)",
        )
        .bind(ancestor)
        .bind(region)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT OR IGNORE INTO metric_regions (ancestor, indicator, value, id)
         SELECT n.ancestor, m.indicator, m.value, m.id
           FROM temp.closure_next n JOIN metrics m ON m.region_id = n.descendant
          WHERE NOT EXISTS (SELECT 1 FROM main.region_closure c
                             WHERE c.ancestor = n.ancestor AND c.descendant = n.descendant)",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
