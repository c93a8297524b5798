//! `sources`: the articles; the single item adds the full text quotes point into.

use super::{Collection, Field, Filter, FilterKind, Rows, Search, Shape};
use super::{sort, text};
use crate::db::search_index;

pub const SOURCES: Collection = Collection {
    name: "sources",
    noun: "source",
    rows: Rows::Table {
        from: "sources s",
        id: "s.id",
        keyed: None,
    },
    carry: &[],
    fields: &[
        text("id", "s.id"),
        text("title", "s.title"),
        text("publication", "s.publication"),
        text("published", "s.published"),
        Field {
            name: "authors",
            sql: "s.authors",
            shape: Shape::List,
        },
        text("url", "s.url"),
        Field {
            name: "metric_count",
            sql: "(SELECT COUNT(*) FROM metrics WHERE source_id = s.id)",
            shape: Shape::Integer,
        },
    ],
    detail: &[text("text", "s.text")],
    sorts: &[
        sort("id", "s.id"),
        sort("published", "COALESCE(s.published, '')"),
        sort("title", "s.title"),
    ],
    filters: &[
        Filter {
            param: "publication",
            kind: FilterKind::Text,
            doc: "Sources of this publication, such as 科技日报.",
            sql: "s.publication = ?",
            keyed: None,
        },
        Filter {
            param: "author",
            kind: FilterKind::Text,
            doc: "Sources with this person among their authors.",
            sql: "EXISTS (SELECT 1 FROM json_each(s.authors) WHERE value = ?)",
            keyed: None,
        },
    ],
    search: Search::Index(&search_index::SOURCE),
    requires_q: false,
};
