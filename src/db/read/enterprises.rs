//! `enterprises`: companies, research institutes, universities, associations and government
//! bodies the articles name.

use super::metrics::REGION_EXISTS;
use super::{Collection, Field, Filter, FilterKind, Rows, Search, Shape};
use super::{sort, text};
use crate::bundle::model::ENTERPRISE_KINDS;
use crate::db::search_index;

pub const ENTERPRISES: Collection = Collection {
    name: "enterprises",
    noun: "enterprise",
    rows: Rows::Table {
        from: "enterprises e",
        id: "e.id",
        keyed: None,
    },
    carry: &[],
    fields: &[
        text("id", "e.id"),
        text("name_zh", "e.name_zh"),
        text("name_en", "e.name_en"),
        text("kind", "e.kind"),
        text("region_id", "e.region_id"),
        Field {
            name: "industries",
            sql: "(SELECT json_group_array(industry) FROM enterprise_industries WHERE enterprise_id = e.id)",
            shape: Shape::List,
        },
        Field {
            name: "aliases",
            sql: "(SELECT json_group_array(alias) FROM enterprise_aliases WHERE enterprise_id = e.id)",
            shape: Shape::List,
        },
        text("defined_by", "e.defined_by"),
    ],
    detail: &[],
    sorts: &[
        sort("id", "e.id"),
        sort("name_en", "e.name_en"),
        sort("name_zh", "e.name_zh"),
        sort("kind", "e.kind"),
    ],
    filters: &[
        Filter {
            param: "kind",
            kind: FilterKind::Enum(ENTERPRISE_KINDS),
            doc: "Enterprises of this kind.",
            sql: "e.kind = ?",
            keyed: None,
        },
        Filter {
            param: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Enterprises based in this region or any region below it.",
            sql: "e.region_id IN (SELECT descendant FROM region_closure WHERE ancestor = ?)",
            keyed: None,
        },
        Filter {
            param: "industry",
            kind: FilterKind::Tag,
            doc: "Enterprises tagged with this industry.",
            sql: "e.id IN (SELECT enterprise_id FROM enterprise_industries WHERE industry = ?)",
            keyed: None,
        },
    ],
    search: Search::Index(&search_index::ENTERPRISE),
    requires_q: false,
};
