//! The figures kept as facts are written (migration `0006`): count, sum, least and greatest
//! value per region (at or above a metric's own), indicator, kind, unit, qualifier and period,
//! and the same without the period. Answers whose filters and groups stay within those fields
//! read them instead of the facts (see `read::cells`).
//!
//! A new metric is added in by its trigger. A removed, changed or moved one only marks its
//! (region, indicator) pairs stale, and [`settle`] works those out again before the write
//! commits: every write that can remove, change or move a metric ends with it.

use sqlx::{SqliteConnection, SqlitePool};

/// Names how the tables are filled; a database whose `settings` name another (or none) has
/// them filled on start, and a read-only replica refuses it until then.
pub const VERSION: &str = "cells-1";

/// A cell's columns worked out from the metrics `m` under the region `a.ancestor`, `own` being
/// 0 (every metric at or below the region) or 1 (the region's own, `m.region_id` =
/// `a.ancestor`), grouped by the cell's key.
fn cells_of(own: u8) -> String {
    format!(
        "SELECT a.ancestor, m.indicator, {own}, m.kind, m.unit, m.qualifier, \
         COALESCE(m.period, ''), MIN(m.period_from), MIN(m.period_to), COUNT(*), SUM(m.value), \
         MIN(m.value), MAX(m.value)"
    )
}

/// The head of a statement adding cells, columns in the order `cells_of` selects them.
const INSERT_CELLS: &str = "INSERT INTO metric_cells (ancestor, indicator, own, kind, unit, \
    qualifier, period, period_from, period_to, n, total, least, most)";

/// The head of a statement adding totals, columns in key order.
const INSERT_TOTALS: &str = "INSERT INTO metric_totals (ancestor, indicator, own, kind, unit, \
    qualifier, n, total, least, most)";

/// The key columns of a cell as `cells_of` selects them.
const KEY: &str = "1, 2, 3, 7, 4, 5, 6";

const TOTALS_OF_CELLS: &str = "INSERT INTO metric_totals
    (ancestor, indicator, own, kind, unit, qualifier, n, total, least, most)
    SELECT ancestor, indicator, own, kind, unit, qualifier, SUM(n), SUM(total), MIN(least),
           MAX(most)
      FROM metric_cells";

/// Fills both tables from the metrics and the closure, in key order so SQLite appends.
pub async fn fill(conn: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
    for table in ["metric_cells", "metric_totals", "metric_cells_stale"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    let filled = sqlx::query(&format!(
        "{INSERT_CELLS}
         SELECT * FROM ({} FROM metrics m JOIN region_closure a ON a.descendant = m.region_id
                        GROUP BY {KEY}
                        UNION ALL
                        {} FROM metrics m JOIN region_closure a
                                ON a.descendant = m.region_id AND a.ancestor = m.region_id
                        GROUP BY {KEY})
          ORDER BY {KEY}",
        cells_of(0),
        cells_of(1)
    ))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query(&format!(
        "{TOTALS_OF_CELLS} GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"
    ))
    .execute(&mut *conn)
    .await?;
    super::settings::set(conn, "metric_cells", VERSION).await?;
    Ok(filled)
}

/// Fills the tables once, in one transaction, when the database does not say they are filled,
/// and settles what a write from another program may have left stale.
pub async fn ensure(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    if is_filled(&mut tx).await? {
        settle(&mut tx).await?;
    } else {
        let cells = fill(&mut tx).await?;
        tracing::info!(cells, "figures per region and indicator filled");
    }
    tx.commit().await?;
    Ok(())
}

pub async fn is_filled(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    super::settings::holds(conn, "metric_cells", VERSION).await
}

/// Works out again every stale cell (both of its region's sets) and the totals it adds to,
/// then clears the marks. Costs nothing when nothing is stale.
///
/// Regions are worked out from the deepest up: a region's own cell from its own facts of the
/// key (a range of the covering index `metrics_series`, named by no `INDEXED BY` since a bulk
/// load drops it for a while), and its cell of everything below it from that and its
/// children's cells of the same key, which are current by then; totals likewise. So a write
/// costs what the cells its metrics fall in number, not what the facts below their regions
/// do: the country's figures come from its provinces'. Nothing is taken back, so sums do not
/// drift.
pub async fn settle(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let stale: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM metric_cells_stale)")
        .fetch_one(&mut *conn)
        .await?;
    if !stale {
        return Ok(());
    }
    // How far below its top region a region lies.
    const DEPTH: &str = "(SELECT MAX(depth) FROM region_closure c WHERE c.descendant = s.ancestor)";
    // `CROSS JOIN` below keeps SQLite from walking a whole index for the few stale cells.
    let depths: Vec<Option<i64>> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT {DEPTH} AS d FROM metric_cells_stale s ORDER BY d DESC"
    ))
    .fetch_all(&mut *conn)
    .await?;
    // The stale cells' keys at the depth bound to `?`, then the same without the period.
    let at = format!("(SELECT s.* FROM metric_cells_stale s WHERE {DEPTH} IS ?)");
    let at_totals =
        format!("(SELECT DISTINCT ancestor, indicator, kind, unit, qualifier FROM {at})");
    for depth in depths {
        for (table, keys, period) in [
            ("metric_cells", &at, "period"),
            ("metric_totals", &at_totals, ""),
        ] {
            let period_key = if period.is_empty() { "" } else { ", a.period" };
            let period_column = if period.is_empty() { "" } else { ", period" };
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE (ancestor, indicator, own{period_column}, kind, unit,
                 qualifier) IN (SELECT a.ancestor, a.indicator, o.own{period_key}, a.kind,
                 a.unit, a.qualifier FROM {keys} a, (SELECT 0 AS own UNION ALL SELECT 1) o)"
            ))
            .bind(depth)
            .execute(&mut *conn)
            .await?;
        }
        // The own cells, from the region's own facts of each stale key.
        sqlx::query(&format!(
            "{INSERT_CELLS}
             {} FROM {at} a CROSS JOIN metrics m
                  ON m.region_id = a.ancestor AND m.indicator = a.indicator
                 AND m.kind = a.kind AND m.unit = a.unit AND m.qualifier = a.qualifier
                 AND COALESCE(m.period, '') = a.period
             GROUP BY {KEY}",
            cells_of(1)
        ))
        .bind(depth)
        .execute(&mut *conn)
        .await?;
        // Everything at or below: the own cell and each child's, of the same key.
        sqlx::query(&roll_up(INSERT_CELLS, "metric_cells", &at, true))
            .bind(depth)
            .bind(depth)
            .execute(&mut *conn)
            .await?;
        // Totals the same way: the own ones from the region's own cells, the others from
        // those and the children's totals.
        sqlx::query(&format!(
            "{INSERT_TOTALS}
             SELECT a.ancestor, a.indicator, 1, a.kind, a.unit, a.qualifier, SUM(c.n),
                    SUM(c.total), MIN(c.least), MAX(c.most)
               FROM {at_totals} a CROSS JOIN metric_cells c
                 ON c.ancestor = a.ancestor AND c.indicator = a.indicator AND c.own = 1
                AND {SAME}
              GROUP BY 1, 2, 4, 5, 6"
        ))
        .bind(depth)
        .execute(&mut *conn)
        .await?;
        sqlx::query(&roll_up(INSERT_TOTALS, "metric_totals", &at_totals, false))
            .bind(depth)
            .bind(depth)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM metric_cells_stale")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A cell or total `c` of the same kind, unit and qualifier as the stale key `a`.
const SAME: &str = "c.kind = a.kind AND c.unit = a.unit AND c.qualifier = a.qualifier";

/// The statement adding, for each stale key in `keys` (of regions at the depth bound twice to
/// `?`), the figures of everything at or below its region: its own figures of the key and each
/// child's of everything below it, added up. `dated` for the cells, which keep the period.
fn roll_up(head: &str, table: &str, keys: &str, dated: bool) -> String {
    let (columns, same_period, period) = if dated {
        (
            ", period, MIN(period_from), MIN(period_to)",
            " AND c.period = a.period",
            ", period",
        )
    } else {
        ("", "", "")
    };
    let same = format!("{SAME}{same_period}");
    format!(
        "{head}
         SELECT region, indicator, 0, kind, unit, qualifier{columns}, SUM(n), SUM(total),
                MIN(least), MAX(most)
           FROM (SELECT a.ancestor AS region, c.*
                   FROM {keys} a CROSS JOIN {table} c
                     ON c.ancestor = a.ancestor AND c.indicator = a.indicator
                    AND c.own = 1 AND {same}
                 UNION ALL
                 SELECT a.ancestor AS region, c.*
                   FROM {keys} a
                   CROSS JOIN region_closure k ON k.ancestor = a.ancestor AND k.depth = 1
                   CROSS JOIN {table} c
                     ON c.ancestor = k.descendant AND c.indicator = a.indicator
                    AND c.own = 0 AND {same})
          GROUP BY region, indicator, kind, unit, qualifier{period}"
    )
}

/// Marks stale the cells of every region that gains or loses a descendant holding metrics
/// when the closure changes from `main.region_closure` to `temp.closure_next`.
pub async fn mark_moved(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT OR IGNORE INTO metric_cells_stale (ancestor, indicator, kind, unit, qualifier, period)
         SELECT DISTINCT p.ancestor, m.indicator, m.kind, m.unit, m.qualifier,
                COALESCE(m.period, '')
           FROM (SELECT * FROM (SELECT ancestor, descendant FROM main.region_closure
                                EXCEPT SELECT ancestor, descendant FROM temp.closure_next)
                 UNION ALL
                 SELECT * FROM (SELECT ancestor, descendant FROM temp.closure_next
                                EXCEPT SELECT ancestor, descendant FROM main.region_closure)) p
           JOIN metrics m ON m.region_id = p.descendant",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
