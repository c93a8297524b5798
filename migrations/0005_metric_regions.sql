-- Each metric once for every region at or above its own (itself included), with the columns
-- the common filters and sorts read, so that "Gansu's facts about revenue, largest first" is
-- one range of this key whether Gansu holds a county's worth of facts or a province's. Filled
-- on start when missing (src/db/metric_regions.rs), then kept by the triggers below and by the
-- closure rebuild, which moves the rows of regions whose ancestors change.
CREATE TABLE metric_regions (
    ancestor  TEXT NOT NULL,
    indicator TEXT NOT NULL,
    value     REAL NOT NULL,
    id        TEXT NOT NULL,
    PRIMARY KEY (ancestor, indicator, value, id)
) STRICT, WITHOUT ROWID;
-- A region's facts in id order: the default sort, and a metric's rows found by id.
CREATE INDEX metric_regions_id ON metric_regions (ancestor, id);

-- A metric's subject named without reading the subject's row: a page of metrics looks up two
-- names for each of its rows.
CREATE INDEX regions_names ON regions (id, name_zh, name_en);
CREATE INDEX enterprises_names ON enterprises (id, name_zh, name_en);
CREATE INDEX projects_names ON projects (id, name_zh, name_en);
CREATE INDEX policies_names ON policies (id, title_zh, title_en);

-- What the triggers look up for every metric they see.
CREATE INDEX region_closure_descendant ON region_closure (descendant, ancestor);

CREATE TRIGGER metric_regions_insert AFTER INSERT ON metrics BEGIN
    INSERT INTO metric_regions (ancestor, indicator, value, id)
    SELECT ancestor, new.indicator, new.value, new.id FROM region_closure WHERE descendant = new.region_id;
END;

CREATE TRIGGER metric_regions_delete AFTER DELETE ON metrics BEGIN
    DELETE FROM metric_regions
     WHERE ancestor IN (SELECT ancestor FROM region_closure WHERE descendant = old.region_id)
       AND indicator = old.indicator AND value = old.value AND id = old.id;
END;

CREATE TRIGGER metric_regions_update AFTER UPDATE OF id, region_id, indicator, value ON metrics BEGIN
    DELETE FROM metric_regions
     WHERE ancestor IN (SELECT ancestor FROM region_closure WHERE descendant = old.region_id)
       AND indicator = old.indicator AND value = old.value AND id = old.id;
    INSERT INTO metric_regions (ancestor, indicator, value, id)
    SELECT ancestor, new.indicator, new.value, new.id FROM region_closure WHERE descendant = new.region_id;
END;
