//! The entities a draft is matched against: those stored in a database, or those of the
//! embedded seed when no database is named. Each collection is kept in id order, so a draft
//! does not depend on where its catalog came from.

use std::collections::HashMap;

use crate::bundle::model::{Bundle, Enterprise, Indicator, Policy, Project, Region};
use crate::db::stored::StoredEntities;

#[derive(Debug, Default, Clone)]
pub struct Known {
    pub regions: Vec<Region>,
    pub enterprises: Vec<Enterprise>,
    pub projects: Vec<Project>,
    pub policies: Vec<Policy>,
    pub indicators: Vec<Indicator>,
    region_at: HashMap<String, usize>,
    enterprise_at: HashMap<String, usize>,
    project_at: HashMap<String, usize>,
    policy_at: HashMap<String, usize>,
}

/// Keeps the first definition of each id, sorted by id.
fn by_id<T: Clone>(items: Vec<T>, id: impl Fn(&T) -> &str) -> (Vec<T>, HashMap<String, usize>) {
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<T> = items
        .into_iter()
        .filter(|item| seen.insert(id(item).to_owned()))
        .collect();
    kept.sort_by(|a, b| id(a).cmp(id(b)));
    let at = kept
        .iter()
        .enumerate()
        .map(|(i, item)| (id(item).to_owned(), i))
        .collect();
    (kept, at)
}

impl From<StoredEntities> for Known {
    fn from(s: StoredEntities) -> Self {
        let (regions, region_at) = by_id(s.regions, |r| &r.id);
        let (enterprises, enterprise_at) = by_id(s.enterprises, |e| &e.id);
        let (projects, project_at) = by_id(s.projects, |p| &p.id);
        let (policies, policy_at) = by_id(s.policies, |p| &p.id);
        let (indicators, _) = by_id(s.indicators, |i| &i.id);
        Known {
            regions,
            enterprises,
            projects,
            policies,
            indicators,
            region_at,
            enterprise_at,
            project_at,
            policy_at,
        }
    }
}

impl Known {
    /// The entities of some bundles (their metrics are not looked at).
    pub fn from_bundles<'a>(bundles: impl IntoIterator<Item = &'a Bundle>) -> Self {
        let mut all = StoredEntities::default();
        for b in bundles {
            all.regions.extend(b.regions.iter().cloned());
            all.enterprises.extend(b.enterprises.iter().cloned());
            all.projects.extend(b.projects.iter().cloned());
            all.policies.extend(b.policies.iter().cloned());
            all.indicators.extend(b.indicators.iter().cloned());
        }
        all.into()
    }

    /// The entities of the seed compiled into the binary.
    pub fn embedded_seed() -> Self {
        Self::from_bundles(&seed_bundles())
    }

    pub fn region(&self, id: &str) -> Option<&Region> {
        self.region_at.get(id).map(|&i| &self.regions[i])
    }

    pub fn enterprise(&self, id: &str) -> Option<&Enterprise> {
        self.enterprise_at.get(id).map(|&i| &self.enterprises[i])
    }

    pub fn project(&self, id: &str) -> Option<&Project> {
        self.project_at.get(id).map(|&i| &self.projects[i])
    }

    pub fn policy(&self, id: &str) -> Option<&Policy> {
        self.policy_at.get(id).map(|&i| &self.policies[i])
    }

    /// Levels above the region: 0 for a country. Unknown parents end the walk.
    pub fn depth(&self, id: &str) -> usize {
        let mut depth = 0;
        let mut cursor = self.region(id).and_then(|r| r.parent_id.as_deref());
        while let Some(parent) = cursor {
            depth += 1;
            if depth > self.regions.len() {
                break;
            }
            cursor = self.region(parent).and_then(|r| r.parent_id.as_deref());
        }
        depth
    }

    /// Whether `inner` lies in `outer` (or is it).
    pub fn within(&self, inner: &str, outer: &str) -> bool {
        let mut cursor = Some(inner);
        for _ in 0..=self.regions.len() {
            match cursor {
                Some(id) if id == outer => return true,
                Some(id) => cursor = self.region(id).and_then(|r| r.parent_id.as_deref()),
                None => return false,
            }
        }
        false
    }
}

/// The seed bundles, decoded; they are checked by the seed's own tests, so a failure to
/// decode one here is a build defect and it is left out rather than taking the tool down.
pub fn seed_bundles() -> Vec<Bundle> {
    crate::db::seed::SEED
        .iter()
        .filter_map(|(_, text)| serde_json::from_str(text).ok())
        .filter_map(|raw| crate::bundle::parse::parse(&raw).ok())
        .collect()
}
