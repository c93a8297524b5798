//! `indicators`: the vocabulary metrics use, each with the one unit it is measured in.

use super::{Collection, Filter, FilterKind, Rows, Search};
use super::{sort, text};
use crate::bundle::model::UNITS;
use crate::db::search_index;

pub const INDICATORS: Collection = Collection {
    name: "indicators",
    noun: "indicator",
    rows: Rows::Table {
        from: "indicators i",
        id: "i.id",
        keyed: None,
    },
    carry: &[],
    fields: &[
        text("id", "i.id"),
        text("name_zh", "i.name_zh"),
        text("name_en", "i.name_en"),
        text("unit", "i.unit"),
        text("description", "i.description"),
        text("defined_by", "i.defined_by"),
    ],
    detail: &[],
    sorts: &[
        sort("id", "i.id"),
        sort("name_en", "i.name_en"),
        sort("unit", "i.unit"),
    ],
    filters: &[Filter {
        param: "unit",
        kind: FilterKind::Enum(UNITS),
        doc: "Indicators measured in this unit.",
        sql: "i.unit = ?",
        keyed: None,
    }],
    search: Search::Index(&search_index::INDICATOR),
    requires_q: false,
};
