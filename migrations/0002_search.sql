-- Full-text search. `search_docs` names what each indexed row is; `search_fts` holds the words
-- of its text (Chinese as overlapping character pairs, see src/fts.rs) without a copy of the text.
CREATE TABLE search_docs (
    rowid  INTEGER PRIMARY KEY,
    kind   TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    UNIQUE (kind, ref_id)
) STRICT;

CREATE VIRTUAL TABLE search_fts USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Which way of segmenting text built the index; the service rebuilds the index when it differs.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- Deleting a source deletes its metrics by cascade; their index entries go with them here,
-- so no write path can leave a search hit pointing at nothing.
CREATE TRIGGER metrics_unindex AFTER DELETE ON metrics BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'metric' AND ref_id = old.id);
    DELETE FROM search_docs WHERE kind = 'metric' AND ref_id = old.id;
END;

CREATE TRIGGER sources_unindex AFTER DELETE ON sources BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT rowid FROM search_docs WHERE kind = 'source' AND ref_id = old.id);
    DELETE FROM search_docs WHERE kind = 'source' AND ref_id = old.id;
END;
