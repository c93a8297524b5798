//! The things metrics are about: a region hierarchy grown under the stored provinces, and the
//! enterprises, projects and policies placed in it. Stored entities (the seed's) take part too,
//! so the synthetic corpus extends the real one instead of sitting beside it.

use std::collections::HashSet;

use sqlx::SqliteConnection;

use super::names::{INDUSTRIES, IdPool, Industry, Name, NamePool, person};
use super::rng::{Rng, Zipf, weighted};
use industry_facts::bundle::model::{Enterprise, Policy, Project, Region};

/// Something a metric can be about, with what a sentence needs to name it.
#[derive(Debug, Clone)]
pub struct Subject {
    pub type_: &'static str,
    pub id: String,
    pub name_zh: String,
    pub region_id: String,
}

/// The new entities, to be stored once, and every subject metrics may draw from.
pub struct World {
    pub regions: Vec<Region>,
    pub enterprises: Vec<Enterprise>,
    pub projects: Vec<Project>,
    pub policies: Vec<Policy>,
    pub places: Vec<Subject>,
    pub firms: Vec<Subject>,
    pub works: Vec<Subject>,
    pub plans: Vec<Subject>,
}

/// A region as it is being grown: the stored ones and the new ones alike.
#[derive(Debug, Clone)]
struct Node {
    id: String,
    short_zh: String,
    pinyin_title: String,
    level: String,
    admin_code: Option<String>,
}

const ZONE_KINDS: &[(&str, &str, &str)] = &[
    (
        "经济技术开发区",
        "Economic and Technological Development Zone",
        "etdz",
    ),
    (
        "高新技术产业开发区",
        "High-tech Industrial Development Zone",
        "hi-tech-zone",
    ),
    ("工业园区", "Industrial Park", "industrial-park"),
    ("产业园", "Industry Park", "industry-park"),
];

/// What a city, county or district name says without its level word (`金昌市` → `金昌`);
/// longer names (zones, subdistricts) end in words that belong to the name.
pub fn short_name(name_zh: &str) -> String {
    let chars = name_zh.chars().count();
    match name_zh.strip_suffix(['市', '县', '区', '省']) {
        Some(short) if (3..=4).contains(&chars) => short.to_owned(),
        _ => name_zh.to_owned(),
    }
}

struct Grower<'a> {
    rng: &'a mut Rng,
    names: NamePool,
    ids: &'a mut IdPool,
    codes: HashSet<String>,
    out: Vec<Region>,
    nodes: Vec<Node>,
}

impl Grower<'_> {
    /// A free six-digit code `prefix` + two digits, counting from `from`.
    fn code(&mut self, prefix: &str, from: u32) -> Option<String> {
        (from..100)
            .map(|n| format!("{prefix}{n:02}"))
            .find(|c| !self.codes.contains(c))
            .inspect(|c| {
                self.codes.insert(c.clone());
            })
    }

    fn add(
        &mut self,
        name: &Name,
        level: &str,
        parent: &str,
        admin_code: Option<String>,
        zh_suffix: &str,
        en_suffix: &str,
    ) -> Node {
        let id = self.ids.claim(&name.pinyin);
        let name_en = if en_suffix.is_empty() {
            name.title()
        } else {
            format!("{} {en_suffix}", name.title())
        };
        self.out.push(Region {
            id: id.clone(),
            name_zh: format!("{}{zh_suffix}", name.zh),
            name_en,
            level: level.to_owned(),
            parent_id: Some(parent.to_owned()),
            admin_code: admin_code.clone(),
            aliases: vec![name.zh.clone()],
        });
        let node = Node {
            id,
            short_zh: name.zh.clone(),
            pinyin_title: name.title(),
            level: level.to_owned(),
            admin_code,
        };
        self.nodes.push(node.clone());
        node
    }

    /// Districts and counties under a prefecture (or a municipality), each with maybe a zone.
    fn counties(&mut self, parent: &Node, districts: usize, counties: usize) {
        let prefix = parent.admin_code.as_deref().map(|c| c[..4].to_owned());
        for i in 0..districts + counties {
            let name = self.names.draw(self.rng);
            let (level, zh, en, from) = if i < districts {
                ("district", "区", "District", 1)
            } else {
                ("county", "县", "County", 21)
            };
            let code = prefix.as_deref().and_then(|p| self.code(p, from));
            let node = self.add(&name, level, &parent.id, code, zh, en);
            self.zones(&node);
            if level == "district" && self.rng.chance(0.15) {
                let street = self.names.draw(self.rng);
                self.add(
                    &street,
                    "subdistrict",
                    &node.id,
                    None,
                    "街道",
                    "Subdistrict",
                );
            }
        }
    }

    fn zones(&mut self, parent: &Node) {
        let count = *weighted(self.rng, &[(0usize, 50), (1, 40), (2, 10)]);
        for _ in 0..count {
            let (zh, en, slug) = *self.rng.pick(ZONE_KINDS);
            let id = self
                .ids
                .claim(&format!("{}-{slug}", parent.pinyin_title.to_lowercase()));
            self.out.push(Region {
                id: id.clone(),
                name_zh: format!("{}{zh}", parent.short_zh),
                name_en: format!("{} {en}", parent.pinyin_title),
                level: "zone".into(),
                parent_id: Some(parent.id.clone()),
                admin_code: None,
                aliases: vec![],
            });
            self.nodes.push(Node {
                id,
                short_zh: parent.short_zh.clone(),
                pinyin_title: parent.pinyin_title.clone(),
                level: "zone".into(),
                admin_code: None,
            });
        }
    }
}

type Row4 = (String, String, String, Option<String>);

/// Grows the world under what `conn` already stores; `metrics` sizes the number of firms.
pub async fn grow(
    conn: &mut SqliteConnection,
    rng: &mut Rng,
    metrics: usize,
) -> Result<World, sqlx::Error> {
    let stored: Vec<Row4> =
        sqlx::query_as("SELECT id, name_zh, level, admin_code FROM regions ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    let taken: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM regions UNION SELECT id FROM enterprises UNION SELECT id FROM projects
         UNION SELECT id FROM policies",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = IdPool::new(taken.into_iter().map(|(id,)| id));
    let mut g = Grower {
        rng,
        names: NamePool::new(),
        ids: &mut ids,
        codes: stored.iter().filter_map(|r| r.3.clone()).collect(),
        out: Vec::new(),
        nodes: stored
            .iter()
            .map(|(id, name_zh, level, admin_code)| Node {
                id: id.clone(),
                short_zh: short_name(name_zh),
                pinyin_title: id.split('-').next().unwrap_or(id).to_owned(),
                level: level.clone(),
                admin_code: admin_code.clone(),
            })
            .collect(),
    };
    let stored_nodes = g.nodes.clone();
    for province in stored_nodes.iter().filter(|n| n.level == "province") {
        let Some(code) = province.admin_code.clone() else {
            continue;
        };
        // Beijing, Tianjin, Shanghai and Chongqing have districts and counties right below.
        if ["11", "12", "31", "50"].contains(&&code[..2]) {
            let districts = g.rng.between(15, 24) as usize;
            let counties = g.rng.between(3, 8) as usize;
            g.counties(province, districts, counties);
            continue;
        }
        let prefectures = g.rng.between(8, 14);
        for _ in 0..prefectures {
            let name = g.names.draw(g.rng);
            let admin = g.code(&code[..2], 1).map(|c| format!("{c}00"));
            let node = g.add(&name, "prefecture", &province.id, admin, "市", "");
            let districts = g.rng.between(1, 3) as usize;
            let counties = g.rng.between(2, 6) as usize;
            g.counties(&node, districts, counties);
            g.zones(&node);
        }
    }
    // The seed's own prefectures grow counties too, so its regions are not left thin.
    for prefecture in stored_nodes.iter().filter(|n| n.level == "prefecture") {
        let counties = g.rng.between(2, 4) as usize;
        g.counties(prefecture, 1, counties);
    }
    let regions = std::mem::take(&mut g.out);
    let mut places: Vec<Subject> = g
        .nodes
        .iter()
        .filter(|n| n.level != "country")
        .map(|n| Subject {
            type_: "region",
            id: n.id.clone(),
            name_zh: regions
                .iter()
                .find(|r| r.id == n.id)
                .map(|r| r.name_zh.clone())
                .unwrap_or_else(|| {
                    stored
                        .iter()
                        .find(|s| s.0 == n.id)
                        .map(|s| s.1.clone())
                        .unwrap_or_default()
                }),
            region_id: n.id.clone(),
        })
        .collect();
    // Zipf ranks follow a shuffled order, so the busiest region is not simply the first made.
    g.rng.shuffle(&mut places);

    let firm_count = (metrics / 250).clamp(150, 4000);
    let (enterprises, mut firms) = super::firms::enterprises(g.rng, g.ids, &places, firm_count);
    let (projects, mut works) = super::firms::projects(g.rng, g.ids, &firms, firm_count / 2);
    let (policies, mut plans) = super::firms::policies(g.rng, g.ids, &places, firm_count / 8);
    add_stored(conn, &mut firms, "enterprise", "enterprises", "name_zh").await?;
    add_stored(conn, &mut works, "project", "projects", "name_zh").await?;
    add_stored(conn, &mut plans, "policy", "policies", "title_zh").await?;
    Ok(World {
        regions,
        enterprises,
        projects,
        policies,
        places,
        firms,
        works,
        plans,
    })
}

/// Puts the stored entities of one kind (those with a region) among the subjects.
async fn add_stored(
    conn: &mut SqliteConnection,
    subjects: &mut Vec<Subject>,
    type_: &'static str,
    table: &str,
    name: &str,
) -> Result<(), sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(&format!(
        "SELECT id, {name}, region_id FROM {table} WHERE region_id IS NOT NULL ORDER BY id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    subjects.extend(rows.into_iter().map(|(id, name_zh, region_id)| Subject {
        type_,
        id,
        name_zh,
        region_id,
    }));
    Ok(())
}

/// A Zipf draw over subjects in their (shuffled) order.
pub struct Skewed<'a> {
    pub items: &'a [Subject],
    zipf: Zipf,
}

impl<'a> Skewed<'a> {
    pub fn new(items: &'a [Subject], s: f64) -> Self {
        Self {
            items,
            zipf: Zipf::new(items.len(), s),
        }
    }

    pub fn draw(&self, rng: &mut Rng) -> &'a Subject {
        &self.items[self.zipf.sample(rng)]
    }
}

/// An industry and a byline, for titles and bylines of articles.
pub fn byline(rng: &mut Rng) -> (Industry, Vec<String>) {
    let industry = *rng.pick(INDUSTRIES);
    let authors = (0..rng.between(1, 2)).map(|_| person(rng)).collect();
    (industry, authors)
}
