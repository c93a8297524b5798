//! The entities a bundle may refer to besides its own: those already stored, or those of
//! bundles checked earlier in the same run.

use std::collections::{HashMap, HashSet};

use sqlx::SqliteConnection;

use super::model::Bundle;

#[derive(Debug, Default, Clone)]
pub struct Catalog {
    /// Region id → parent id.
    pub regions: HashMap<String, Option<String>>,
    /// Entity id → its region id, for enterprises, projects and policies.
    pub enterprises: HashMap<String, Option<String>>,
    pub projects: HashMap<String, Option<String>>,
    pub policies: HashMap<String, Option<String>>,
    /// Indicator id → unit code.
    pub indicators: HashMap<String, String>,
    pub sources: HashSet<String>,
}

impl Catalog {
    /// Reads the stored entities; called inside a transaction (a read snapshot, or the write
    /// itself), so that they are all of one state of the database.
    pub async fn load(conn: &mut SqliteConnection) -> Result<Self, sqlx::Error> {
        async fn pairs(
            conn: &mut SqliteConnection,
            sql: &str,
        ) -> Result<HashMap<String, Option<String>>, sqlx::Error> {
            let rows: Vec<(String, Option<String>)> = sqlx::query_as(sql).fetch_all(conn).await?;
            Ok(rows.into_iter().collect())
        }
        let indicators: Vec<(String, String)> = sqlx::query_as("SELECT id, unit FROM indicators")
            .fetch_all(&mut *conn)
            .await?;
        let sources: Vec<(String,)> = sqlx::query_as("SELECT id FROM sources")
            .fetch_all(&mut *conn)
            .await?;
        Ok(Self {
            regions: pairs(conn, "SELECT id, parent_id FROM regions").await?,
            enterprises: pairs(conn, "SELECT id, region_id FROM enterprises").await?,
            projects: pairs(conn, "SELECT id, region_id FROM projects").await?,
            policies: pairs(conn, "SELECT id, region_id FROM policies").await?,
            indicators: indicators.into_iter().collect(),
            sources: sources.into_iter().map(|(id,)| id).collect(),
        })
    }

    /// Makes a validated bundle's entities visible to the bundles checked after it.
    pub fn absorb(&mut self, bundle: &Bundle) {
        for r in &bundle.regions {
            self.regions.insert(r.id.clone(), r.parent_id.clone());
        }
        for e in &bundle.enterprises {
            self.enterprises.insert(e.id.clone(), e.region_id.clone());
        }
        for p in &bundle.projects {
            self.projects.insert(p.id.clone(), p.region_id.clone());
        }
        for p in &bundle.policies {
            self.policies.insert(p.id.clone(), p.region_id.clone());
        }
        for i in &bundle.indicators {
            self.indicators.insert(i.id.clone(), i.unit.clone());
        }
        self.sources.insert(bundle.source.id.clone());
    }
}
