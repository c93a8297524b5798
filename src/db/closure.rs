//! The region closure table: which regions lie at or below which.

use sqlx::{SqliteConnection, SqlitePool};

/// Recomputes the whole table. A bundle may add a parent after its children or move a region,
/// and with a few thousand regions a full rebuild costs less than getting increments right.
/// The metrics filed under each region move with it (see [`super::metric_regions::adjust`]).
pub async fn rebuild(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "CREATE TEMP TABLE IF NOT EXISTS closure_next (
             ancestor TEXT NOT NULL, descendant TEXT NOT NULL, depth INTEGER NOT NULL,
             PRIMARY KEY (ancestor, descendant)
         ) WITHOUT ROWID",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM temp.closure_next")
        .execute(&mut *conn)
        .await?;
    // The depth bound stops a cycle, which the validator refuses anyway, from looping.
    sqlx::query(
        "INSERT INTO temp.closure_next (ancestor, descendant, depth)
         WITH RECURSIVE up(ancestor, descendant, depth) AS (
             SELECT id, id, 0 FROM regions
             UNION ALL
             SELECT r.parent_id, up.descendant, up.depth + 1
               FROM up JOIN regions r ON r.id = up.ancestor
              WHERE r.parent_id IS NOT NULL AND up.depth < 64
         )
         SELECT ancestor, descendant, MIN(depth) FROM up GROUP BY ancestor, descendant",
    )
    .execute(&mut *conn)
    .await?;
    super::metric_regions::adjust(conn).await?;
    super::metric_cells::mark_moved(conn).await?;
    sqlx::query("DELETE FROM main.region_closure")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO main.region_closure (ancestor, descendant, depth, ancestor_level,
                                          descendant_level)
         SELECT n.ancestor, n.descendant, n.depth, a.level, d.level
           FROM temp.closure_next n
           JOIN regions a ON a.id = n.ancestor
           JOIN regions d ON d.id = n.descendant",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM temp.closure_next")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Fills the table of a database whose regions predate it (or that lost it), once, at start.
pub async fn ensure(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let missing: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM regions) AND NOT EXISTS (SELECT 1 FROM region_closure)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if missing {
        rebuild(&mut tx).await?;
        tx.commit().await?;
    }
    Ok(())
}
