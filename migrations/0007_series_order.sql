-- The first and last day each fact's period covers, kept beside its years. A series lists its
-- points in time order by them; kept in the series indexes after the series' key, they put
-- every series' points in that order within the index, so a page of series is read in order
-- with no sort and no period parsed. New facts get them as they are stored (`store::write`);
-- the facts stored before get them here, by the same rule (`fact_period_start`).
ALTER TABLE metrics ADD COLUMN period_start TEXT;
ALTER TABLE metrics ADD COLUMN period_end TEXT;
DROP INDEX metrics_series;
UPDATE metrics
   SET period_start = fact_period_start(period), period_end = fact_period_end(period)
 WHERE period IS NOT NULL;
CREATE INDEX metrics_series ON metrics (region_id, indicator, subject_type, subject_id, unit,
    period_start, kind, period_end, id, period, qualifier, value, value_max, source_id,
    period_from, period_to);

-- The same, subject first: a chart of one subject's indicator (a province's GDP, a firm's
-- revenue) is then one range of it, where the subject's own index would leave every fact's
-- row to be read for its indicator and point.
CREATE INDEX metrics_subject_series ON metrics (subject_id, indicator, subject_type, region_id,
    unit, period_start, kind, period_end, id, period, qualifier, value, value_max, source_id,
    period_from, period_to);
