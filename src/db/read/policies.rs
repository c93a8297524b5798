//! `policies`: plans, opinions, measure packages, campaigns, rules and slogans.

use super::metrics::REGION_EXISTS;
use super::{Collection, Filter, FilterKind, Rows, Search};
use super::{sort, text};
use crate::bundle::model::POLICY_KINDS;
use crate::db::search_index;

pub const POLICIES: Collection = Collection {
    name: "policies",
    noun: "policy",
    rows: Rows::Table {
        from: "policies po",
        id: "po.id",
        keyed: None,
    },
    carry: &[],
    fields: &[
        text("id", "po.id"),
        text("title_zh", "po.title_zh"),
        text("title_en", "po.title_en"),
        text("region_id", "po.region_id"),
        text("issued", "po.issued"),
        text("kind", "po.kind"),
        text("summary", "po.summary"),
        text("defined_by", "po.defined_by"),
    ],
    detail: &[],
    sorts: &[
        sort("id", "po.id"),
        sort("issued", "COALESCE(po.issued, '')"),
        sort("title_en", "po.title_en"),
        sort("kind", "po.kind"),
    ],
    filters: &[
        Filter {
            param: "kind",
            kind: FilterKind::Enum(POLICY_KINDS),
            doc: "Policies of this kind.",
            sql: "po.kind = ?",
            keyed: None,
        },
        Filter {
            param: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Policies of this region or any region below it.",
            sql: "po.region_id IN (SELECT descendant FROM region_closure WHERE ancestor = ?)",
            keyed: None,
        },
    ],
    search: Search::Index(&search_index::POLICY),
    requires_q: false,
};
