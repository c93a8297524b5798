//! One metric at a time: who it is about, which indicator, kind and period, and the sentence
//! that states it. Every choice is skewed the way reporting is (GDP more than pilot lines,
//! recent years more than old ones, a capital more than a county) without emptying the tail.

use std::collections::HashMap;

use super::numbers::{
    ENTERPRISE_INDICATORS, POLICY_INDICATORS, PROJECT_INDICATORS, Profile, REGION_INDICATORS,
    quantity,
};
use super::rng::{Rng, weighted};
use super::world::{Skewed, Subject, World};
use industry_facts::quantity::Quantity;

/// A drawn metric, before it is placed in an article.
#[derive(Debug, Clone)]
pub struct Drawn<'w> {
    pub subject: &'w Subject,
    pub indicator: &'static str,
    pub kind: &'static str,
    pub period: Option<String>,
    pub original: String,
    pub quantity: Quantity,
    /// The sentence stating it, ending in `。`; it is the metric's quote.
    pub sentence: String,
}

/// The stored vocabulary the drawer needs: each indicator's unit and Chinese name.
pub struct Vocabulary {
    pub units: HashMap<String, String>,
    pub names: HashMap<String, String>,
}

pub struct Drawer<'w> {
    places: Skewed<'w>,
    firms: Skewed<'w>,
    works: Skewed<'w>,
    plans: Skewed<'w>,
    tables: [Vec<(Profile, u32)>; 4],
    vocabulary: Vocabulary,
}

/// Keeps the indicators the database knows; the seed defines them all today.
fn known(table: &[(Profile, u32)], vocabulary: &Vocabulary) -> Vec<(Profile, u32)> {
    table
        .iter()
        .filter(|(p, _)| vocabulary.units.contains_key(p.indicator))
        .copied()
        .collect()
}

impl<'w> Drawer<'w> {
    pub fn new(world: &'w World, vocabulary: Vocabulary) -> Result<Self, String> {
        let tables = [
            known(REGION_INDICATORS, &vocabulary),
            known(ENTERPRISE_INDICATORS, &vocabulary),
            known(PROJECT_INDICATORS, &vocabulary),
            known(POLICY_INDICATORS, &vocabulary),
        ];
        if tables.iter().any(Vec::is_empty) {
            return Err("the database lacks the indicators the generator draws from".into());
        }
        for (name, list) in [
            ("regions", &world.places),
            ("enterprises", &world.firms),
            ("projects", &world.works),
            ("policies", &world.plans),
        ] {
            if list.is_empty() {
                return Err(format!("no {name} to draw metrics about"));
            }
        }
        Ok(Self {
            places: Skewed::new(&world.places, 1.0),
            firms: Skewed::new(&world.firms, 0.9),
            works: Skewed::new(&world.works, 0.8),
            plans: Skewed::new(&world.plans, 0.8),
            tables,
            vocabulary,
        })
    }

    pub fn draw(&self, rng: &mut Rng) -> Result<Drawn<'w>, String> {
        let which = *weighted(rng, &[(0usize, 40), (1, 35), (2, 18), (3, 7)]);
        let subject = match which {
            0 => self.places.draw(rng),
            1 => self.firms.draw(rng),
            2 => self.works.draw(rng),
            _ => self.plans.draw(rng),
        };
        let profile = *weighted(rng, &self.tables[which]);
        let kind = *weighted(
            rng,
            match which {
                0 => &[
                    ("actual", 70),
                    ("target", 20),
                    ("plan", 10),
                    ("capacity", 0),
                ],
                1 => &[
                    ("actual", 75),
                    ("target", 10),
                    ("plan", 5),
                    ("capacity", 10),
                ],
                2 => &[
                    ("actual", 20),
                    ("target", 10),
                    ("plan", 40),
                    ("capacity", 30),
                ],
                _ => &[
                    ("actual", 20),
                    ("target", 40),
                    ("plan", 40),
                    ("capacity", 0),
                ],
            },
        );
        // Only output can have a designed capacity; anything else announced ahead is a plan.
        let kind = match (kind, profile.indicator) {
            (
                "capacity",
                "production_output" | "battery_production_capacity" | "floor_area" | "pilot_lines",
            ) => "capacity",
            ("capacity", _) => "plan",
            (kind, _) => kind,
        };
        let period = period(rng, kind);
        let unit = &self.vocabulary.units[profile.indicator];
        let (original, quantity) = quantity(rng, &profile, unit)?;
        let name = &self.vocabulary.names[profile.indicator];
        let sentence = format!(
            "{}{}{name}{}{original}。",
            opening(rng, kind, period.as_deref()),
            subject.name_zh,
            verb(rng, kind),
        );
        Ok(Drawn {
            subject,
            indicator: profile.indicator,
            kind,
            period,
            original,
            quantity,
            sentence,
        })
    }
}

/// The period a metric refers to: mostly a recent year, sometimes a month or a span, rarely
/// unknown. Targets and plans look ahead.
fn period(rng: &mut Rng, kind: &str) -> Option<String> {
    if kind == "target" {
        let year = *weighted(rng, &[(2025, 40), (2026, 10), (2027, 15), (2030, 35)]);
        return Some(year.to_string());
    }
    if rng.chance(0.03) {
        return None;
    }
    let last = if kind == "plan" { 2027 } else { 2025 };
    // Weight grows with the year: last year's figures are reported most.
    let years: Vec<(i64, u32)> = (2015..=last).map(|y| (y, (y - 2013) as u32)).collect();
    let year = *weighted(rng, &years);
    let roll = rng.unit();
    if roll < 0.15 {
        Some(format!("{year}-{:02}", rng.between(1, 12)))
    } else if roll < 0.21 && year > 2015 {
        let from = year - rng.between(1, 3).min(year - 2015);
        Some(format!("{from}/{year}"))
    } else {
        Some(year.to_string())
    }
}

/// How the sentence opens. Each opening ends in `，` and none occurs inside another sentence,
/// so a sentence never contains another one and its first occurrence is where it was put.
fn opening(rng: &mut Rng, kind: &str, period: Option<&str>) -> String {
    let Some(period) = period else {
        return rng
            .pick(&["此外，", "据介绍，", "记者了解到，"])
            .to_string();
    };
    if kind == "target" {
        return format!("到{period}年，");
    }
    match period.split_once('/') {
        // 间 keeps `2023年间，` from ending like a one-year opening `2023年，`.
        Some((from, to)) => format!("{}—{}年间，", &from[..4], &to[..4]),
        None if period.len() == 7 => {
            let month: u32 = period[5..].parse().unwrap_or(1);
            format!("{}年{month}月，", &period[..4])
        }
        None => format!("{period}年，"),
    }
}

/// The verb before the number; targets, plans and capacities each have their own, so that a
/// target sentence `到2025年，…` never ends like an actual one.
fn verb(rng: &mut Rng, kind: &str) -> &'static str {
    let options: &[&'static str] = match kind {
        "target" => &["力争达到", "目标为"],
        "plan" => &["计划达到", "预计为"],
        "capacity" => &["设计规模为", "规划产能为"],
        _ => &["为", "达到", "实现"],
    };
    options[rng.below(options.len())]
}
