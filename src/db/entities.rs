//! The entities a bundle carries, against what is stored: which are new, which it repeats as
//! they are, and which it would change, field by field. Entities are shared by every source
//! that names them, so a change is refused unless the writer asked for it, and the source
//! that last wrote an entity's fields is kept in its `defined_by` column.

use serde_json::{Value, json};
use sqlx::SqliteConnection;

use super::error::{Error, Result};
use crate::bundle::ValidBundle;
use crate::problems::FieldChange;

/// What a write does with a bundle entity whose fields differ from the stored ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnChangedEntity {
    /// Refuse the whole bundle, listing every differing field (the default).
    #[default]
    Refuse,
    /// Store the bundle's fields.
    Update,
}

impl OnChangedEntity {
    /// The values of the `entities` query parameter and the `--entities` option.
    pub const NAMES: &'static [&'static str] = &["refuse", "update"];

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "refuse" => Some(Self::Refuse),
            "update" => Some(Self::Update),
            _ => None,
        }
    }
}

/// How one entity of the bundle compares with the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    New,
    Unchanged,
    Changed,
}

/// One kind of entity: where the bundle lists it and how its stored fields are read. The
/// SQL is a constant of the program; it answers one JSON object of the compared fields.
#[derive(Debug)]
struct Kind {
    collection: &'static str,
    noun: &'static str,
    /// Fields whose order carries no meaning (they are stored as sets).
    unordered: &'static [&'static str],
    stored: &'static str,
    define: &'static str,
    claim: &'static str,
}

const REGIONS: Kind = Kind {
    collection: "regions",
    noun: "region",
    unordered: &["aliases"],
    stored: "SELECT json_object('name_zh', name_zh, 'name_en', name_en, 'level', level, \
        'parent_id', parent_id, 'admin_code', admin_code, \
        'aliases', json((SELECT json_group_array(alias) FROM region_aliases WHERE region_id = r.id))) \
        FROM regions r WHERE r.id = ?",
    define: "UPDATE regions SET defined_by = ? WHERE id = ?",
    claim: "UPDATE regions SET defined_by = ? WHERE id = ? AND defined_by IS NULL",
};

const ENTERPRISES: Kind = Kind {
    collection: "enterprises",
    noun: "enterprise",
    unordered: &["industries", "aliases"],
    stored: "SELECT json_object('name_zh', name_zh, 'name_en', name_en, 'kind', kind, \
        'region_id', region_id, \
        'industries', json((SELECT json_group_array(industry) FROM enterprise_industries WHERE enterprise_id = e.id)), \
        'aliases', json((SELECT json_group_array(alias) FROM enterprise_aliases WHERE enterprise_id = e.id))) \
        FROM enterprises e WHERE e.id = ?",
    define: "UPDATE enterprises SET defined_by = ? WHERE id = ?",
    claim: "UPDATE enterprises SET defined_by = ? WHERE id = ? AND defined_by IS NULL",
};

const PROJECTS: Kind = Kind {
    collection: "projects",
    noun: "project",
    unordered: &[],
    stored: "SELECT json_object('name_zh', name_zh, 'name_en', name_en, 'region_id', region_id, \
        'enterprise_ids', json((SELECT json_group_array(enterprise_id) FROM \
           (SELECT enterprise_id FROM project_enterprises WHERE project_id = p.id ORDER BY position))), \
        'status', status, 'started', started, 'description', description) \
        FROM projects p WHERE p.id = ?",
    define: "UPDATE projects SET defined_by = ? WHERE id = ?",
    claim: "UPDATE projects SET defined_by = ? WHERE id = ? AND defined_by IS NULL",
};

const POLICIES: Kind = Kind {
    collection: "policies",
    noun: "policy",
    unordered: &[],
    stored: "SELECT json_object('title_zh', title_zh, 'title_en', title_en, 'region_id', region_id, \
        'issued', issued, 'kind', kind, 'summary', summary) FROM policies WHERE id = ?",
    define: "UPDATE policies SET defined_by = ? WHERE id = ?",
    claim: "UPDATE policies SET defined_by = ? WHERE id = ? AND defined_by IS NULL",
};

const INDICATORS: Kind = Kind {
    collection: "indicators",
    noun: "indicator",
    unordered: &[],
    stored: "SELECT json_object('name_zh', name_zh, 'name_en', name_en, 'unit', unit, \
        'description', description) FROM indicators WHERE id = ?",
    define: "UPDATE indicators SET defined_by = ? WHERE id = ?",
    claim: "UPDATE indicators SET defined_by = ? WHERE id = ? AND defined_by IS NULL",
};

/// The compared fields of one entity, named as the bundle names them.
type Fields = Vec<(&'static str, Value)>;

/// Each entity of the bundle as (kind, id, its compared fields in the bundle's words).
fn proposed(valid: &ValidBundle) -> Vec<(&'static Kind, &str, Fields)> {
    let b = &valid.bundle;
    let mut out = Vec::new();
    for r in &b.regions {
        out.push((
            &REGIONS,
            r.id.as_str(),
            vec![
                ("name_zh", json!(r.name_zh)),
                ("name_en", json!(r.name_en)),
                ("level", json!(r.level)),
                ("parent_id", json!(r.parent_id)),
                ("admin_code", json!(r.admin_code)),
                ("aliases", json!(r.aliases)),
            ],
        ));
    }
    for e in &b.enterprises {
        out.push((
            &ENTERPRISES,
            e.id.as_str(),
            vec![
                ("name_zh", json!(e.name_zh)),
                ("name_en", json!(e.name_en)),
                ("kind", json!(e.kind)),
                ("region_id", json!(e.region_id)),
                ("industries", json!(e.industries)),
                ("aliases", json!(e.aliases)),
            ],
        ));
    }
    for p in &b.projects {
        out.push((
            &PROJECTS,
            p.id.as_str(),
            vec![
                ("name_zh", json!(p.name_zh)),
                ("name_en", json!(p.name_en)),
                ("region_id", json!(p.region_id)),
                ("enterprise_ids", json!(p.enterprise_ids)),
                ("status", json!(p.status)),
                ("started", json!(p.started)),
                ("description", json!(p.description)),
            ],
        ));
    }
    for p in &b.policies {
        out.push((
            &POLICIES,
            p.id.as_str(),
            vec![
                ("title_zh", json!(p.title_zh)),
                ("title_en", json!(p.title_en)),
                ("region_id", json!(p.region_id)),
                ("issued", json!(p.issued)),
                ("kind", json!(p.kind)),
                ("summary", json!(p.summary)),
            ],
        ));
    }
    for i in &b.indicators {
        out.push((
            &INDICATORS,
            i.id.as_str(),
            vec![
                ("name_zh", json!(i.name_zh)),
                ("name_en", json!(i.name_en)),
                ("unit", json!(i.unit)),
                ("description", json!(i.description)),
            ],
        ));
    }
    out
}

/// A list stored as a set compares, and is shown, in one canonical order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Array(mut items) => {
            items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            Value::Array(items)
        }
        other => other,
    }
}

/// The bundle's entities against the stored ones, read inside the write transaction.
#[derive(Debug, Default)]
pub struct Comparison {
    entities: Vec<(&'static Kind, String, Status)>,
    /// Every field the bundle would change, in bundle order.
    pub changes: Vec<FieldChange>,
}

impl Comparison {
    fn count(&self, status: Status) -> usize {
        self.entities
            .iter()
            .filter(|(_, _, s)| *s == status)
            .count()
    }

    /// Entities not stored before.
    pub fn added(&self) -> usize {
        self.count(Status::New)
    }

    /// Stored entities the bundle repeats field for field.
    pub fn unchanged(&self) -> usize {
        self.count(Status::Unchanged)
    }

    /// Stored entities whose fields the bundle changes.
    pub fn updated(&self) -> usize {
        self.count(Status::Changed)
    }

    /// Refuses the write when it changes a stored entity and the writer did not ask for that.
    pub fn allowed(&self, on_changed: OnChangedEntity) -> Result<()> {
        if on_changed == OnChangedEntity::Refuse && !self.changes.is_empty() {
            return Err(Error::EntityConflict(self.changes.clone()));
        }
        Ok(())
    }
}

/// Compares every entity of the bundle with the stored one of the same id.
pub async fn compare(
    conn: &mut SqliteConnection,
    valid: &ValidBundle,
) -> Result<Comparison, sqlx::Error> {
    let mut comparison = Comparison::default();
    let mut index: std::collections::HashMap<&str, usize> = Default::default();
    for (kind, id, fields) in proposed(valid) {
        // The position within its collection, for the pointer.
        let i = index.entry(kind.collection).or_insert(0);
        let at = valid.bundle.pointer(kind.collection, *i);
        *i += 1;
        let stored: Option<String> = sqlx::query_scalar(kind.stored)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(stored) = stored else {
            comparison.entities.push((kind, id.to_owned(), Status::New));
            continue;
        };
        let stored: Value =
            serde_json::from_str(&stored).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let before = comparison.changes.len();
        for (field, proposed) in fields {
            let mut was = stored.get(field).cloned().unwrap_or(Value::Null);
            let mut now = proposed;
            if kind.unordered.contains(&field) {
                was = sorted(was);
                now = sorted(now);
            }
            if was != now {
                comparison.changes.push(FieldChange {
                    pointer: format!("{at}/{field}"),
                    message: format!(
                        "would change `{field}` of the stored {} `{id}` from {was} to {now}",
                        kind.noun
                    ),
                    stored: was,
                    proposed: now,
                });
            }
        }
        let status = if comparison.changes.len() > before {
            Status::Changed
        } else {
            Status::Unchanged
        };
        comparison.entities.push((kind, id.to_owned(), status));
    }
    Ok(comparison)
}

/// Records `source_id` as the definer of the entities it wrote: those it added or changed,
/// and those it repeats that no stored source is recorded for (their definer was deleted,
/// or they predate the record). An identical repetition does not take over a definition.
pub async fn record_definitions(
    conn: &mut SqliteConnection,
    source_id: &str,
    comparison: &Comparison,
) -> Result<(), sqlx::Error> {
    for (kind, id, status) in &comparison.entities {
        let sql = match status {
            Status::New | Status::Changed => kind.define,
            Status::Unchanged => kind.claim,
        };
        sqlx::query(sql)
            .bind(source_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
