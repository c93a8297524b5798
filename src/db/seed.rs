//! The bundled seed: loaded at start-up through the same path as `import`, once per content.

use sqlx::{SqliteConnection, SqlitePool};

use super::entities::OnChangedEntity;
use super::error::{Error, Result};
use super::store::{OnExisting, StoreSummary, WriteMode, ingest_in};
use crate::bundle::json::{JsonError, parse_strict};

include!(concat!(env!("OUT_DIR"), "/seed.rs"));

/// Hex digest of a seed file; a changed file (a new release) is loaded again.
pub fn content_hash(text: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub loaded: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Stores one seed bundle and records its content as loaded, on the caller's transaction.
async fn store_in(
    conn: &mut SqliteConnection,
    text: &str,
    mode: WriteMode,
) -> Result<StoreSummary> {
    let raw = parse_strict(text.as_bytes()).map_err(|e| match e {
        JsonError::DuplicateKeys(problems) => Error::InvalidBundle(problems),
        JsonError::Syntax(e) => Error::Internal(format!("not JSON: {e}")),
    })?;
    let summary = ingest_in(conn, &raw, mode).await?;
    sqlx::query(
        "INSERT INTO seed_loads (source_id, hash) VALUES (?, ?)
         ON CONFLICT (source_id) DO UPDATE SET hash = excluded.hash, loaded_at = excluded.loaded_at",
    )
    .bind(&summary.source_id)
    .bind(content_hash(text))
    .execute(&mut *conn)
    .await?;
    Ok(summary)
}

/// Loads each seed bundle that is not stored yet with this content. A restart, or a second
/// process starting on the same file, finds every hash recorded and writes nothing.
///
/// A seed whose content changed is a new release of the shipped data: it replaces its
/// sources and brings the entities it defines to its own fields, which the log reports.
/// What was changed since by a writer who opted in stays until `import --seed` restores it.
pub async fn load(pool: &SqlitePool) -> Result<SeedReport> {
    let mode = WriteMode {
        on_existing: OnExisting::Replace,
        on_changed_entity: OnChangedEntity::Update,
    };
    let mut report = SeedReport::default();
    for (name, text) in SEED {
        let hash = content_hash(text);
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        // A recorded hash means this very content is stored: no need to even parse it.
        let stored: Option<(String,)> =
            sqlx::query_as("SELECT source_id FROM seed_loads WHERE hash = ?")
                .bind(&hash)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((source_id,)) = stored {
            tx.rollback().await?;
            report.unchanged.push(source_id);
            continue;
        }
        let summary = store_in(&mut tx, text, mode).await.map_err(|e| match e {
            Error::InvalidBundle(problems) => Error::Internal(format!(
                "seed {name} is invalid: {}",
                problems
                    .iter()
                    .map(|p| format!("{} {}", p.pointer, p.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            Error::Internal(message) => Error::Internal(format!("seed {name}: {message}")),
            other => other,
        })?;
        tx.commit().await?;
        if summary.entities_updated > 0 {
            tracing::warn!(
                seed = name,
                entities_updated = summary.entities_updated,
                "the seed changed entities that were stored with other fields"
            );
        }
        report.loaded.push(summary.source_id);
    }
    Ok(report)
}

/// Stores every seed bundle again, whatever is recorded as loaded, each in its own
/// transaction: `import --seed`. Each bundle answers for itself, as the files of an import do.
pub async fn import(
    pool: &SqlitePool,
    mode: WriteMode,
) -> Vec<(&'static str, Result<StoreSummary>)> {
    let mut out = Vec::new();
    for (name, text) in SEED {
        let result = async {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            let summary = store_in(&mut tx, text, mode).await?;
            tx.commit().await?;
            Ok(summary)
        }
        .await;
        out.push((*name, result));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::SEED;

    /// Entities are upserted by id, so two seed bundles that define one entity differently
    /// would make the stored data depend on load order.
    #[test]
    fn shared_entities_are_defined_identically() {
        let mut seen: BTreeMap<(String, String), (&str, serde_json::Value)> = BTreeMap::new();
        for (name, text) in SEED {
            let bundle: serde_json::Value = serde_json::from_str(text).unwrap();
            for collection in [
                "regions",
                "enterprises",
                "projects",
                "policies",
                "indicators",
            ] {
                for entity in bundle[collection].as_array().into_iter().flatten() {
                    let key = (
                        collection.to_owned(),
                        entity["id"].as_str().unwrap().to_owned(),
                    );
                    if let Some((first, earlier)) = seen.get(&key) {
                        assert_eq!(
                            earlier, entity,
                            "{key:?} differs between {first} and {name}"
                        );
                    } else {
                        seen.insert(key, (name, entity.clone()));
                    }
                }
            }
        }
        assert!(
            seen.len() > 100,
            "the seed defines its entities: {}",
            seen.len()
        );
    }
}
