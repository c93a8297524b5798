//! `projects`: investment and construction projects with the enterprises behind them.

use super::metrics::{ENTERPRISE_EXISTS, REGION_EXISTS};
use super::{Collection, Field, Filter, FilterKind, Rows, Search, Shape};
use super::{sort, text};
use crate::bundle::model::PROJECT_STATUSES;
use crate::db::search_index;

pub const PROJECTS: Collection = Collection {
    name: "projects",
    noun: "project",
    rows: Rows::Table {
        from: "projects p",
        id: "p.id",
        keyed: None,
    },
    carry: &[],
    fields: &[
        text("id", "p.id"),
        text("name_zh", "p.name_zh"),
        text("name_en", "p.name_en"),
        text("region_id", "p.region_id"),
        Field {
            name: "enterprise_ids",
            sql: "(SELECT json_group_array(enterprise_id) FROM \
                (SELECT enterprise_id FROM project_enterprises WHERE project_id = p.id ORDER BY position))",
            shape: Shape::List,
        },
        text("status", "p.status"),
        text("started", "p.started"),
        text("description", "p.description"),
        text("defined_by", "p.defined_by"),
    ],
    detail: &[],
    sorts: &[
        sort("id", "p.id"),
        sort("name_en", "p.name_en"),
        sort("started", "COALESCE(p.started, '')"),
        sort("status", "p.status"),
    ],
    filters: &[
        Filter {
            param: "status",
            kind: FilterKind::Enum(PROJECT_STATUSES),
            doc: "Projects in this status.",
            sql: "p.status = ?",
            keyed: None,
        },
        Filter {
            param: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Projects in this region or any region below it.",
            sql: "p.region_id IN (SELECT descendant FROM region_closure WHERE ancestor = ?)",
            keyed: None,
        },
        Filter {
            param: "enterprise",
            kind: FilterKind::Ref(ENTERPRISE_EXISTS),
            doc: "Projects this enterprise takes part in.",
            sql: "p.id IN (SELECT project_id FROM project_enterprises WHERE enterprise_id = ?)",
            keyed: None,
        },
    ],
    search: Search::Index(&search_index::PROJECT),
    requires_q: false,
};
