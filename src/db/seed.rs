//! The bundled seed: loaded at start-up through the same path as `import`, once per content.

use serde_json::Value;
use sqlx::SqlitePool;

use super::store::{OnExisting, ingest_in};
use crate::error::{AppError, AppResult};

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

/// Loads each seed bundle that is not stored yet with this content. A restart, or a second
/// process starting on the same file, finds every hash recorded and writes nothing.
pub async fn load(pool: &SqlitePool) -> AppResult<SeedReport> {
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
        let raw: Value = serde_json::from_str(text)
            .map_err(|e| AppError::Internal(format!("seed {name} is not JSON: {e}")))?;
        let source_id = raw["source"]["id"]
            .as_str()
            .ok_or_else(|| AppError::Internal(format!("seed {name} has no source id")))?
            .to_owned();
        ingest_in(&mut tx, &raw, OnExisting::Replace)
            .await
            .map_err(|e| match e {
                AppError::InvalidBundle(problems) => AppError::Internal(format!(
                    "seed {name} is invalid: {}",
                    problems
                        .iter()
                        .map(|p| format!("{} {}", p.pointer, p.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                other => other,
            })?;
        sqlx::query(
            "INSERT INTO seed_loads (source_id, hash) VALUES (?, ?)
             ON CONFLICT (source_id) DO UPDATE SET hash = excluded.hash, loaded_at = excluded.loaded_at",
        )
        .bind(&source_id)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        report.loaded.push(source_id);
    }
    Ok(report)
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
