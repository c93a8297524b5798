-- Figures kept as facts are written, so that a dashboard's answer over a province (how its
-- facts about revenue split by kind and period, or add up per prefecture) reads a few hundred
-- cells instead of every one of the province's facts. A cell holds the count, sum, least and
-- greatest value of the metrics that share all of its key: a region, the indicator, kind,
-- unit, qualifier and period. Each region has two sets of cells: with `own` 0 they hold every
-- metric at or below the region, with `own` 1 only the metrics of the region itself, which
-- is what an answer grouped by each fact's own region reads. Periods are kept as written ('' for
-- none), with the years they span, so the metrics list's own period, from and to conditions
-- apply to a cell unchanged; they come right after `own` in the key, so figures per period
-- are read in order, with no sort.
CREATE TABLE metric_cells (
    ancestor    TEXT NOT NULL,
    indicator   TEXT NOT NULL,
    own         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    qualifier   TEXT NOT NULL,
    period      TEXT NOT NULL,
    period_from INTEGER,
    period_to   INTEGER,
    n           INTEGER NOT NULL,
    total       REAL NOT NULL,
    least       REAL NOT NULL,
    most        REAL NOT NULL,
    PRIMARY KEY (ancestor, indicator, own, period, kind, unit, qualifier)
) STRICT, WITHOUT ROWID;

-- The same figures without the period, a sixth or less of the cells: what an answer reads
-- when neither its filters nor its groups look at the period.
CREATE TABLE metric_totals (
    ancestor  TEXT NOT NULL,
    indicator TEXT NOT NULL,
    own       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    unit      TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    n         INTEGER NOT NULL,
    total     REAL NOT NULL,
    least     REAL NOT NULL,
    most      REAL NOT NULL,
    PRIMARY KEY (ancestor, indicator, own, kind, unit, qualifier)
) STRICT, WITHOUT ROWID;

-- The cells a removed, changed or moved metric left out of date, by their key without `own`:
-- both of a region's sets are worked out again. The write that marked them does that before
-- it commits, from each region's own facts and its children's figures
-- (src/db/metric_cells.rs), so a reader of this program's writes never sees a mark here: a
-- least or greatest value cannot be taken back one metric at a time, and a sum taken back
-- drifts.
CREATE TABLE metric_cells_stale (
    ancestor  TEXT NOT NULL,
    indicator TEXT NOT NULL,
    kind      TEXT NOT NULL,
    unit      TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    period    TEXT NOT NULL,
    PRIMARY KEY (ancestor, indicator, period, kind, unit, qualifier)
) STRICT, WITHOUT ROWID;

-- A new metric is added into the cells of each region at or above its own, and into the own
-- cells of its region.
CREATE TRIGGER metric_cells_insert AFTER INSERT ON metrics BEGIN
    INSERT INTO metric_cells (ancestor, indicator, own, kind, unit, qualifier, period,
                              period_from, period_to, n, total, least, most)
    SELECT ancestor, new.indicator, own, new.kind, new.unit, new.qualifier,
           COALESCE(new.period, ''), new.period_from, new.period_to, 1, new.value, new.value,
           new.value
      FROM (SELECT ancestor, 0 AS own FROM region_closure WHERE descendant = new.region_id
            UNION ALL SELECT new.region_id, 1)
     WHERE true
        ON CONFLICT DO UPDATE SET n = n + 1, total = total + excluded.total,
           least = MIN(least, excluded.least), most = MAX(most, excluded.most);
    INSERT INTO metric_totals (ancestor, indicator, own, kind, unit, qualifier, n, total, least, most)
    SELECT ancestor, new.indicator, own, new.kind, new.unit, new.qualifier,
           1, new.value, new.value, new.value
      FROM (SELECT ancestor, 0 AS own FROM region_closure WHERE descendant = new.region_id
            UNION ALL SELECT new.region_id, 1)
     WHERE true
        ON CONFLICT DO UPDATE SET n = n + 1, total = total + excluded.total,
           least = MIN(least, excluded.least), most = MAX(most, excluded.most);
END;

CREATE TRIGGER metric_cells_delete AFTER DELETE ON metrics BEGIN
    INSERT OR IGNORE INTO metric_cells_stale (ancestor, indicator, kind, unit, qualifier, period)
    SELECT ancestor, old.indicator, old.kind, old.unit, old.qualifier, COALESCE(old.period, '')
      FROM region_closure WHERE descendant = old.region_id;
END;

CREATE TRIGGER metric_cells_update AFTER UPDATE OF region_id, indicator, value, unit, qualifier,
    kind, period, period_from, period_to ON metrics BEGIN
    INSERT OR IGNORE INTO metric_cells_stale (ancestor, indicator, kind, unit, qualifier, period)
    SELECT ancestor, old.indicator, old.kind, old.unit, old.qualifier, COALESCE(old.period, '')
      FROM region_closure WHERE descendant = old.region_id
    UNION SELECT ancestor, new.indicator, new.kind, new.unit, new.qualifier,
                 COALESCE(new.period, '')
      FROM region_closure WHERE descendant = new.region_id;
END;

-- Each closure row also names the levels of its two regions, so "the prefectures within
-- Gansu", "the province above Jinchang" and "the regions with no prefecture above them" are
-- each one range of an index, with no look-up of every region's row. Kept by the closure
-- rebuild, which every write of a region runs.
ALTER TABLE region_closure ADD COLUMN ancestor_level TEXT NOT NULL DEFAULT '';
ALTER TABLE region_closure ADD COLUMN descendant_level TEXT NOT NULL DEFAULT '';
UPDATE region_closure
   SET ancestor_level = (SELECT level FROM regions WHERE id = ancestor),
       descendant_level = (SELECT level FROM regions WHERE id = descendant);
CREATE INDEX region_closure_below ON region_closure (ancestor, descendant_level, descendant);
CREATE INDEX region_closure_above ON region_closure (descendant, ancestor_level, ancestor);

-- Series in key order, region first: a page of series over a province walks the province's
-- regions in order and each one's facts of an indicator by subject and unit, and stops at the
-- page's end, instead of reading every fact and sorting them. It also holds every column a
-- point shows, and every column of a figure per region, so the points of a series are one
-- range of it, and so are the facts a write works a region's figures out again from: no
-- fact's row is read.
CREATE INDEX metrics_series ON metrics (region_id, indicator, subject_type, subject_id, unit,
    period, kind, qualifier, value, value_max, id, source_id, period_from, period_to);
