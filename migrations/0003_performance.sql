-- Every region paired with each region at or below it, so "Gansu and everything in it" is one
-- index range instead of a walk of the hierarchy per query. Rebuilt by every write that
-- touches regions, and filled on start when empty (src/db/closure.rs).
CREATE TABLE region_closure (
    ancestor   TEXT NOT NULL,
    descendant TEXT NOT NULL,
    depth      INTEGER NOT NULL,
    PRIMARY KEY (ancestor, descendant)
) STRICT, WITHOUT ROWID;

-- Bumped by every write, so cached responses know when they are stale. Every write stores or
-- deletes a source, so triggers on `sources` see them all, whichever process writes.
CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO data_version (id, version) VALUES (1, 1);

CREATE TRIGGER sources_insert_version AFTER INSERT ON sources BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER sources_delete_version AFTER DELETE ON sources BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;

-- Indexes that serve a filter together with the sort, so a page reads only its own rows.
CREATE INDEX metrics_indicator_value ON metrics (indicator, value, id);
CREATE INDEX metrics_indicator_id ON metrics (indicator, id);
CREATE INDEX metrics_region_indicator ON metrics (region_id, indicator, value, id);
CREATE INDEX metrics_period_sort ON metrics (COALESCE(period, ''), id);
CREATE INDEX metrics_subject_value ON metrics (subject_id, value, id);
CREATE INDEX metrics_period_to ON metrics (period_to, period_from);
DROP INDEX metrics_indicator;
DROP INDEX metrics_region;
