//! `regions`: the administrative hierarchy from country down to industrial zones.

use super::metrics::REGION_EXISTS;
use super::{Collection, Field, Filter, FilterKind, Rows, Search, Shape};
use super::{sort, text};
use crate::bundle::model::REGION_LEVELS;
use crate::db::search_index;

pub const REGIONS: Collection = Collection {
    name: "regions",
    noun: "region",
    rows: Rows::Table {
        from: "regions r",
        id: "r.id",
        keyed: None,
    },
    carry: &[],
    fields: &[
        text("id", "r.id"),
        text("name_zh", "r.name_zh"),
        text("name_en", "r.name_en"),
        text("level", "r.level"),
        text("parent_id", "r.parent_id"),
        text("admin_code", "r.admin_code"),
        Field {
            name: "aliases",
            sql: "(SELECT json_group_array(alias) FROM region_aliases WHERE region_id = r.id)",
            shape: Shape::List,
        },
        text("defined_by", "r.defined_by"),
        // Breadcrumbs and map drill-down need the whole chain up to the country; the closure
        // holds it already, nearest ancestor at depth 1, so the deepest comes first.
        Field {
            name: "path",
            sql: "(SELECT json_group_array(ancestor ORDER BY depth DESC) FROM region_closure \
                  WHERE descendant = r.id AND depth > 0)",
            shape: Shape::List,
        },
    ],
    detail: &[],
    sorts: &[
        sort("id", "r.id"),
        sort("name_en", "r.name_en"),
        sort("name_zh", "r.name_zh"),
        sort("admin_code", "COALESCE(r.admin_code, '')"),
    ],
    filters: &[
        Filter {
            param: "level",
            kind: FilterKind::Enum(REGION_LEVELS),
            doc: "Regions of this level.",
            sql: "r.level = ?",
            keyed: None,
        },
        Filter {
            param: "parent",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Direct children of this region.",
            sql: "r.parent_id = ?",
            keyed: None,
        },
        Filter {
            param: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "This region and every region below it.",
            sql: "r.id IN (SELECT descendant FROM region_closure WHERE ancestor = ?)",
            keyed: None,
        },
    ],
    search: Search::Index(&search_index::REGION),
    requires_q: false,
};
