-- Sources are the articles; everything numeric hangs off one of them.
CREATE TABLE sources (
    id          TEXT PRIMARY KEY NOT NULL,
    title       TEXT NOT NULL,
    publication TEXT NOT NULL,
    published   TEXT,
    authors     TEXT NOT NULL DEFAULT '[]', -- JSON array of names
    url         TEXT,
    text        TEXT NOT NULL
) STRICT;
CREATE INDEX sources_published ON sources (published, id);

CREATE TABLE regions (
    id         TEXT PRIMARY KEY NOT NULL,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('country','province','prefecture','county','district','subdistrict','zone')),
    parent_id  TEXT REFERENCES regions (id),
    admin_code TEXT
) STRICT;
CREATE INDEX regions_parent ON regions (parent_id);
CREATE INDEX regions_level ON regions (level);

CREATE TABLE region_aliases (
    region_id TEXT NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    alias     TEXT NOT NULL,
    PRIMARY KEY (region_id, alias)
) STRICT;

CREATE TABLE enterprises (
    id        TEXT PRIMARY KEY NOT NULL,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('company','research_institute','university','association','government')),
    region_id TEXT REFERENCES regions (id)
) STRICT;
CREATE INDEX enterprises_region ON enterprises (region_id);
CREATE INDEX enterprises_kind ON enterprises (kind);

CREATE TABLE enterprise_aliases (
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    alias         TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, alias)
) STRICT;

CREATE TABLE enterprise_industries (
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    industry      TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, industry)
) STRICT;
CREATE INDEX enterprise_industries_industry ON enterprise_industries (industry);

CREATE TABLE projects (
    id          TEXT PRIMARY KEY NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    region_id   TEXT REFERENCES regions (id),
    status      TEXT NOT NULL CHECK (status IN ('planned','under_construction','operating','completed','unknown')),
    started     TEXT,
    description TEXT
) STRICT;
CREATE INDEX projects_region ON projects (region_id);
CREATE INDEX projects_status ON projects (status);

CREATE TABLE project_enterprises (
    project_id    TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    position      INTEGER NOT NULL,
    PRIMARY KEY (project_id, enterprise_id)
) STRICT;
CREATE INDEX project_enterprises_enterprise ON project_enterprises (enterprise_id);

CREATE TABLE policies (
    id        TEXT PRIMARY KEY NOT NULL,
    title_zh  TEXT NOT NULL,
    title_en  TEXT NOT NULL,
    region_id TEXT REFERENCES regions (id),
    issued    TEXT,
    kind      TEXT NOT NULL CHECK (kind IN ('plan','opinion','measures','action','regulation','slogan')),
    summary   TEXT
) STRICT;
CREATE INDEX policies_region ON policies (region_id);
CREATE INDEX policies_kind ON policies (kind);

CREATE TABLE indicators (
    id          TEXT PRIMARY KEY NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    unit        TEXT NOT NULL,
    description TEXT
) STRICT;
CREATE INDEX indicators_unit ON indicators (unit);

-- A metric belongs to its source: deleting the source deletes its metrics and nothing else.
CREATE TABLE metrics (
    id           TEXT PRIMARY KEY NOT NULL,
    source_id    TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    indicator    TEXT NOT NULL REFERENCES indicators (id),
    subject_type TEXT NOT NULL CHECK (subject_type IN ('region','enterprise','project','policy')),
    subject_id   TEXT NOT NULL,
    region_id    TEXT NOT NULL REFERENCES regions (id),
    value        REAL NOT NULL,
    value_max    REAL,
    unit         TEXT NOT NULL,
    qualifier    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('actual','target','plan','capacity')),
    period       TEXT,
    -- First and last year the period covers, so year filters need no string parsing.
    period_from  INTEGER,
    period_to    INTEGER,
    original     TEXT NOT NULL,
    quote        TEXT NOT NULL,
    quote_start  INTEGER NOT NULL
) STRICT;
CREATE INDEX metrics_source ON metrics (source_id, position);
CREATE INDEX metrics_indicator ON metrics (indicator);
CREATE INDEX metrics_subject ON metrics (subject_type, subject_id);
CREATE INDEX metrics_region ON metrics (region_id);
CREATE INDEX metrics_unit ON metrics (unit);
CREATE INDEX metrics_kind ON metrics (kind);
CREATE INDEX metrics_qualifier ON metrics (qualifier);
CREATE INDEX metrics_period ON metrics (period_from, period_to);
CREATE INDEX metrics_value ON metrics (value, id);

-- Which embedded seed bundle was loaded, by content hash, so a restart loads nothing twice
-- and a source deleted on purpose stays deleted until the seed itself changes.
CREATE TABLE seed_loads (
    source_id TEXT PRIMARY KEY NOT NULL,
    hash      TEXT NOT NULL,
    loaded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
