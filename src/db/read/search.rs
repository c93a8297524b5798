//! `search`: one text search across every collection, a hit per matching row with a snippet.
//!
//! Hits are ranked on what their names say (the term itself, a name containing it, any other
//! match) before anything is cut from their text: a page builds the snippets of its own hits
//! only, and an article's stretch around the term is found by [`fact_around`], a fast search,
//! rather than by `instr` walking the article a character at a time.
//!
//! [`fact_around`]: crate::db::functions::around_bytes

use sqlx::{QueryBuilder, Sqlite};

use super::metrics::REGION_EXISTS;
use super::sql::{push_matching, push_page_tail};
use super::text;
use super::{Collection, Filter, FilterKind, KeyType, ListQuery, Rows, Search, Sort};
use crate::db::search_index::{self, DocKind};
use crate::fts::Term;

const SEARCH_TYPES: &[&str] = &[
    "region",
    "enterprise",
    "project",
    "policy",
    "indicator",
    "source",
    "metric",
];

/// One collection's part of the search: how its rows are named and found.
struct Branch {
    doc: &'static DocKind,
    /// Orders collections among equally relevant hits.
    rank: i64,
    /// Pushes what follows `FROM`: the collection's rows that match, by the collection's own
    /// `q` rule, so `/v1/search` finds what each list's `q` finds.
    rows: fn(&mut QueryBuilder<'_, Sqlite>, &Term),
    name_zh: &'static str,
    name_en: &'static str,
    /// The region a row belongs to, for the `region` filter; `NULL` for rows of no region.
    region: &'static str,
    /// A table of alternative names `(table, owner column)`, when the collection has one.
    aliases: Option<(&'static str, &'static str)>,
    /// The hit's tier when `from` has it already, instead of working it out for every row.
    tier: Option<&'static str>,
}

/// `{table} WHERE {alias}.id IN (ids of `doc` matching)`: the rule of every collection but
/// metrics.
fn indexed(qb: &mut QueryBuilder<'_, Sqlite>, table: &str, doc: &DocKind, term: &Term) {
    qb.push(format!("{table} WHERE {}.id IN (", doc.alias()));
    push_matching(qb, doc, term);
    qb.push(")");
}

const BRANCHES: [Branch; 7] = [
    Branch {
        doc: &search_index::REGION,
        rank: 1,
        rows: |qb, term| indexed(qb, "regions r", &search_index::REGION, term),
        region: "r.id",
        name_zh: "r.name_zh",
        name_en: "r.name_en",
        aliases: Some(("region_aliases", "region_id")),
        tier: None,
    },
    Branch {
        doc: &search_index::ENTERPRISE,
        rank: 2,
        rows: |qb, term| indexed(qb, "enterprises e", &search_index::ENTERPRISE, term),
        region: "e.region_id",
        name_zh: "e.name_zh",
        name_en: "e.name_en",
        aliases: Some(("enterprise_aliases", "enterprise_id")),
        tier: None,
    },
    Branch {
        doc: &search_index::PROJECT,
        rank: 3,
        rows: |qb, term| indexed(qb, "projects p", &search_index::PROJECT, term),
        region: "p.region_id",
        name_zh: "p.name_zh",
        name_en: "p.name_en",
        aliases: None,
        tier: None,
    },
    Branch {
        doc: &search_index::POLICY,
        rank: 4,
        rows: |qb, term| indexed(qb, "policies po", &search_index::POLICY, term),
        region: "po.region_id",
        name_zh: "po.title_zh",
        name_en: "po.title_en",
        aliases: None,
        tier: None,
    },
    Branch {
        doc: &search_index::INDICATOR,
        rank: 5,
        rows: |qb, term| indexed(qb, "indicators i", &search_index::INDICATOR, term),
        region: "NULL",
        name_zh: "i.name_zh",
        name_en: "i.name_en",
        aliases: None,
        tier: None,
    },
    Branch {
        doc: &search_index::SOURCE,
        rank: 6,
        rows: |qb, term| indexed(qb, "sources s", &search_index::SOURCE, term),
        region: "NULL",
        name_zh: "s.title",
        name_en: "s.title",
        aliases: None,
        tier: None,
    },
    Branch {
        doc: &search_index::METRIC,
        rank: 7,
        rows: metric_rows,
        // A metric's own region is not read (that would mean reading the row of every hit,
        // of which a place's name finds tens of thousands): the `region` filter finds metrics
        // through `metric_regions` instead.
        region: "NULL",
        name_zh: "ind.name_zh",
        name_en: "ind.name_en",
        aliases: None,
        tier: Some("ind.tier"),
    },
];

/// The metrics a search finds, each as its id and indicator, read from indexes alone: those
/// whose quote or indicator matches, and those of the region (and every region below it)
/// whose name or alias is the whole search text, ignoring ASCII case, since a place's name
/// finds the facts about the place. A metric is named by its indicator, so its tier is the
/// indicator's, worked out once for each indicator (the LIMIT keeps SQLite from folding it
/// back into every row).
fn metric_rows(qb: &mut QueryBuilder<'_, Sqlite>, term: &Term) {
    // Three parts that never share a metric, so no step has to drop repeats: those of a
    // matching indicator; those of a named place whose indicator does not match; and those
    // whose quote matches, in neither of the other two.
    qb.push(
        "(SELECT id, indicator FROM metrics INDEXED BY metrics_indicator_id \
         WHERE indicator IN (",
    );
    push_matching(qb, &search_index::INDICATOR, term);
    qb.push(
        ") UNION ALL SELECT id, indicator FROM metric_regions INDEXED BY metric_regions_id \
         WHERE ancestor IN (",
    );
    push_outermost_named_regions(qb, term);
    qb.push(") AND indicator NOT IN (");
    push_matching(qb, &search_index::INDICATOR, term);
    qb.push(") UNION ALL SELECT q.id, q.indicator FROM metrics q WHERE q.id IN (");
    push_matching(qb, &search_index::METRIC, term);
    qb.push(") AND q.indicator NOT IN (");
    push_matching(qb, &search_index::INDICATOR, term);
    qb.push(
        ") AND NOT EXISTS (SELECT 1 FROM metric_regions INDEXED BY metric_regions_id \
         WHERE id = q.id AND ancestor IN (",
    );
    push_outermost_named_regions(qb, term);
    qb.push(
        "))) m CROSS JOIN (SELECT id, name_zh, name_en, CASE \
            WHEN lower(name_zh) = lower((SELECT t FROM term)) \
              OR lower(name_en) = lower((SELECT t FROM term)) THEN 0 \
            WHEN instr(lower(name_zh), lower((SELECT t FROM term))) > 0 \
              OR instr(lower(name_en), lower((SELECT t FROM term))) > 0 THEN 1 \
            ELSE 2 END AS tier FROM indicators LIMIT -1) ind ON ind.id = m.indicator \
         WHERE 1 = 1",
    );
}

/// The regions whose name or alias is the whole search text, ignoring ASCII case, but for
/// those below another such region: `metric_regions` then holds each of their metrics once.
fn push_outermost_named_regions(qb: &mut QueryBuilder<'_, Sqlite>, term: &Term) {
    qb.push("SELECT n.id FROM (");
    push_named_regions(qb, term);
    qb.push(
        ") n WHERE NOT EXISTS (SELECT 1 FROM region_closure c \
         WHERE c.descendant = n.id AND c.ancestor <> n.id AND c.ancestor IN (",
    );
    push_named_regions(qb, term);
    qb.push("))");
}

/// The regions whose name or alias is the whole search text, ignoring ASCII case.
fn push_named_regions(qb: &mut QueryBuilder<'_, Sqlite>, term: &Term) {
    qb.push("SELECT id FROM regions WHERE lower(name_zh) = lower(");
    qb.push_bind(term.text.clone());
    qb.push(") OR lower(name_en) = lower(");
    qb.push_bind(term.text.clone());
    qb.push(") UNION SELECT region_id FROM region_aliases WHERE lower(alias) = lower(");
    qb.push_bind(term.text.clone());
    qb.push(")");
}

/// The text each hit's snippet is cut from: its names and what else describes it, and for an
/// article the stretch around the term. `term` is the statement's search term.
const SNIPPET: &str = "fact_snippet(CASE sel.type \
    WHEN 'region' THEN (SELECT r.name_zh || ' ' || r.name_en || ' ' || \
        COALESCE((SELECT group_concat(alias, ' ') FROM region_aliases WHERE region_id = r.id), '') \
        FROM regions r WHERE r.id = sel.ref) \
    WHEN 'enterprise' THEN (SELECT e.name_zh || ' ' || e.name_en || ' ' || \
        COALESCE((SELECT group_concat(alias, ' ') FROM enterprise_aliases WHERE enterprise_id = e.id), '') || ' ' || \
        COALESCE((SELECT group_concat(industry, ' ') FROM enterprise_industries WHERE enterprise_id = e.id), '') \
        FROM enterprises e WHERE e.id = sel.ref) \
    WHEN 'project' THEN (SELECT p.name_zh || ' ' || p.name_en || ' ' || COALESCE(p.description, '') \
        FROM projects p WHERE p.id = sel.ref) \
    WHEN 'policy' THEN (SELECT po.title_zh || ' ' || po.title_en || ' ' || COALESCE(po.summary, '') \
        FROM policies po WHERE po.id = sel.ref) \
    WHEN 'indicator' THEN (SELECT i.name_zh || ' ' || i.name_en || ' ' || COALESCE(i.description, '') \
        FROM indicators i WHERE i.id = sel.ref) \
    WHEN 'source' THEN (SELECT s.title || ' ' || fact_around(s.text, (SELECT t FROM term)) \
        FROM sources s WHERE s.id = sel.ref) \
    WHEN 'metric' THEN (SELECT m.quote || ' ' || ind.name_zh || ' ' || ind.name_en \
        FROM metrics m CROSS JOIN indicators ind ON ind.id = m.indicator WHERE m.id = sel.ref) \
    END, (SELECT t FROM term))";

/// Pushes one collection's hits for `term`, each with its tier: 0 when a name or alias is
/// the term itself (ignoring ASCII case), 1 when a name contains it, 2 for any other match.
fn push_branch(qb: &mut QueryBuilder<'_, Sqlite>, b: &Branch, term: &Term) {
    let a = b.doc.alias();
    let (zh, en) = (b.name_zh, b.name_en);
    qb.push(format!(
        "SELECT '{}' AS type, {} AS rank, {a}.id AS id, {} AS region, {zh} AS name_zh, \
         {en} AS name_en, ",
        b.doc.kind, b.rank, b.region
    ));
    if let Some(tier) = b.tier {
        qb.push(format!("{tier} AS tier FROM "));
        (b.rows)(qb, term);
        return;
    }
    qb.push(format!("CASE WHEN lower({zh}) = lower("));
    qb.push_bind(term.text.clone());
    qb.push(format!(") OR lower({en}) = lower("));
    qb.push_bind(term.text.clone());
    qb.push(")");
    if let Some((table, owner)) = b.aliases {
        qb.push(format!(
            " OR EXISTS (SELECT 1 FROM {table} WHERE {owner} = {a}.id AND lower(alias) = lower("
        ));
        qb.push_bind(term.text.clone());
        qb.push("))");
    }
    qb.push(format!(" THEN 0 WHEN instr(lower({zh}), lower("));
    qb.push_bind(term.text.clone());
    qb.push(format!(")) > 0 OR instr(lower({en}), lower("));
    qb.push_bind(term.text.clone());
    qb.push(")) > 0 THEN 1 ELSE 2 END AS tier FROM ");
    (b.rows)(qb, term);
}

/// The union of every collection's hits for the term, each part filtered by its own index;
/// counting needs which rows match, not their names or tiers.
fn push_hits(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery, counting: bool) {
    let Some(term) = &query.q else {
        qb.push(
            "(SELECT NULL AS type, 0 AS rank, NULL AS id, NULL AS region, NULL AS name_zh, \
                 NULL AS name_en, 0 AS tier WHERE 0) h",
        );
        return;
    };
    qb.push("(");
    for (i, branch) in BRANCHES.iter().enumerate() {
        if i > 0 {
            qb.push(" UNION ALL ");
        }
        if !counting {
            // Each part's own best rows, ranked and cut to the page as the whole will be:
            // the page can only come from them, and a part with tens of thousands of hits
            // then hands on a page's worth instead of sorting them all in the union.
            qb.push("SELECT * FROM (SELECT * FROM (");
            push_branch(qb, branch, term);
            qb.push(") h");
            push_page_tail(qb, query);
            qb.push(")");
        } else {
            qb.push(format!(
                "SELECT '{}' AS type, {} AS rank, {}.id AS id, {} AS region FROM ",
                branch.doc.kind,
                branch.rank,
                branch.doc.alias(),
                branch.region,
            ));
            (branch.rows)(qb, term);
        }
    }
    qb.push(") h");
}

/// Each part of the union has applied the term already.
fn no_more_search(_qb: &mut QueryBuilder<'_, Sqlite>, _id: &str, _term: &Term) {}

pub const SEARCH: Collection = Collection {
    name: "search",
    noun: "result",
    rows: Rows::Union {
        push: push_hits,
        // Ids are unique within a collection only, so the key is collection and id together.
        id: "(h.rank || ':' || h.id)",
    },
    carry: &[
        ("h.type", "type"),
        ("h.id", "ref"),
        ("h.name_zh", "name_zh"),
        ("h.name_en", "name_en"),
    ],
    fields: &[
        text("type", "sel.type"),
        text("id", "sel.ref"),
        text("name_zh", "sel.name_zh"),
        text("name_en", "sel.name_en"),
        text("snippet", SNIPPET),
    ],
    detail: &[],
    sorts: &[
        Sort {
            name: "relevance",
            expr: "(h.tier * 10 + h.rank)",
            key: KeyType::Number,
            keyed: None,
        },
        Sort {
            name: "type",
            expr: "h.rank",
            key: KeyType::Number,
            keyed: None,
        },
    ],
    filters: &[
        Filter {
            param: "type",
            kind: FilterKind::EnumList(SEARCH_TYPES),
            doc: "Only results of these collections (repeat the parameter or separate with commas).",
            sql: "h.type IN (SELECT value FROM json_each(?))",
            keyed: None,
        },
        Filter {
            param: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Only results in this region or a region below it: regions themselves, and \
                  the enterprises, projects, policies and metrics placed there. Indicators and \
                  sources belong to no region and are left out.",
            sql: "h.region IN (SELECT descendant FROM region_closure WHERE ancestor = ?) \
                  OR (h.type = 'metric' AND EXISTS (SELECT 1 FROM metric_regions \
                  INDEXED BY metric_regions_id WHERE ancestor = ? AND id = h.id))",
            keyed: None,
        },
    ],
    search: Search::Custom(no_more_search),
    requires_q: true,
};
