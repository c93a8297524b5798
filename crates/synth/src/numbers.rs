//! Numbers as Chinese news writes them (`3315亿元`, `12.5万吨`, `超过200项`, `近30%`, `3—5家`),
//! per indicator at a plausible scale. The generator writes the words first and reads the
//! value back with the service's own quantity parser, so `value`, `unit` and `qualifier`
//! agree with `original` by construction, as the validator demands.

use super::rng::{Rng, weighted};
use industry_facts::quantity::{self, Quantity};

/// How an indicator's numbers look: the range of values in the base unit, and the word
/// that follows the number for counted things.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub indicator: &'static str,
    pub lo: f64,
    pub hi: f64,
    pub counter: &'static str,
}

const fn p(indicator: &'static str, lo: f64, hi: f64, counter: &'static str) -> Profile {
    Profile {
        indicator,
        lo,
        hi,
        counter,
    }
}

/// Indicators of the seed that regions report, with how often they come up.
pub const REGION_INDICATORS: &[(Profile, u32)] = &[
    (p("gdp", 1e10, 3e12, ""), 30),
    (p("gdp_growth", 0.5, 12.0, ""), 20),
    (p("industrial_output_value", 1e9, 2e12, ""), 15),
    (p("investment", 1e8, 5e11, ""), 12),
    (p("enterprises", 10.0, 5000.0, "家"), 10),
    (p("cluster_output_value", 1e9, 1e12, ""), 8),
    (p("high_tech_enterprises", 5.0, 2000.0, "家"), 8),
    (p("patents_granted", 10.0, 20000.0, "件"), 6),
    (p("export_value", 1e6, 5e10, ""), 6),
    (p("new_high_tech_enterprises", 1.0, 300.0, "家"), 5),
    (p("projects", 1.0, 500.0, "个"), 5),
    (p("specialised_sme_enterprises", 1.0, 300.0, "家"), 4),
    (p("export_value_growth", 1.0, 40.0, ""), 4),
    (p("employees", 1e3, 1e6, "人"), 4),
    (p("listed_enterprises", 1.0, 60.0, "家"), 3),
    (p("floor_area", 1e4, 1e8, ""), 2),
    (p("people_trained", 50.0, 50000.0, "人"), 1),
    (p("trainings_held", 1.0, 200.0, "场"), 1),
];

pub const ENTERPRISE_INDICATORS: &[(Profile, u32)] = &[
    (p("revenue", 1e7, 5e11, ""), 30),
    (p("annual_sales_revenue", 1e7, 1e11, ""), 10),
    (p("rd_investment", 1e6, 5e9, ""), 10),
    (p("employees", 50.0, 50000.0, "人"), 10),
    (p("patents_granted", 1.0, 3000.0, "件"), 8),
    (p("production_output", 1e2, 5e6, ""), 8),
    (p("export_value", 1e5, 5e9, ""), 6),
    (p("invention_patents_granted", 1.0, 800.0, "件"), 5),
    (p("battery_production_capacity", 1.0, 100.0, ""), 3),
    (p("floor_area", 1e3, 1e6, ""), 3),
    (p("economic_benefit", 1e6, 1e10, ""), 3),
    (p("company_age", 3.0, 70.0, ""), 2),
    (p("units_exported", 10.0, 1e5, "台"), 2),
    (p("thickness", 0.01, 50.0, ""), 1),
    (p("diameter", 1.0, 800.0, ""), 1),
    (p("machine_length", 5.0, 40.0, ""), 1),
];

pub const PROJECT_INDICATORS: &[(Profile, u32)] = &[
    (p("investment", 1e7, 5e10, ""), 40),
    (p("production_output", 1e3, 1e6, ""), 15),
    (p("floor_area", 1e4, 2e6, ""), 15),
    (p("battery_production_capacity", 1.0, 100.0, ""), 8),
    (p("revenue", 1e7, 5e10, ""), 8),
    (p("employees", 20.0, 5000.0, "人"), 5),
    (p("pilot_lines", 1.0, 10.0, "条"), 3),
];

pub const POLICY_INDICATORS: &[(Profile, u32)] = &[
    (p("policy_measures", 5.0, 60.0, "条"), 30),
    (p("investment", 1e8, 1e11, ""), 20),
    (p("policy_areas", 3.0, 15.0, "个"), 15),
    (p("projects", 5.0, 300.0, "个"), 15),
    (p("enterprises", 5.0, 500.0, "家"), 10),
    (p("share_of_projects", 5.0, 80.0, ""), 5),
];

/// The number with at most `decimals` decimals, without trailing zeros (`57.52`, `3315`).
fn decimal(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// A mantissa with two to four significant digits, as reporters round.
fn mantissa(rng: &mut Rng, m: f64) -> String {
    let digits = rng.between(2, 4) as i32;
    let magnitude = m.abs().log10().floor() as i32 + 1;
    let decimals = (digits - magnitude).clamp(0, 2) as usize;
    let text = decimal(m, decimals);
    if text == "0" { "1".into() } else { text }
}

/// The unit words after the number: a magnitude (万, 亿) and the unit, for a value in the
/// base unit. Returns the divided value and the words.
fn unit_words(unit: &str, value: f64, counter: &str) -> (f64, String) {
    let scaled = |v: f64, small: &str, wan: &str, yi: &str| {
        if v >= 1e8 && !yi.is_empty() {
            (v / 1e8, yi.to_owned())
        } else if v >= 1e4 && !wan.is_empty() {
            (v / 1e4, wan.to_owned())
        } else {
            (v, small.to_owned())
        }
    };
    match unit {
        "CNY" => scaled(value, "元", "万元", "亿元"),
        "USD" => scaled(value, "美元", "万美元", "亿美元"),
        "t" => scaled(value, "吨", "万吨", "亿吨"),
        "m2" => scaled(value, "平方米", "万平方米", ""),
        "mm" => (value, "毫米".into()),
        "m" => (value, "米".into()),
        "GWh" => (value, "GWh".into()),
        "percent" => (value, "%".into()),
        "year" => (value, "年".into()),
        _ => {
            let counter = if counter.is_empty() { "个" } else { counter };
            scaled(value, counter, &format!("万{counter}"), "")
        }
    }
}

/// Writes one number of `profile` in `unit` with a bounding word drawn at news frequencies.
pub fn write(rng: &mut Rng, profile: &Profile, unit: &str) -> String {
    let value = rng.log_uniform(profile.lo, profile.hi);
    let (m, words) = unit_words(unit, value, profile.counter);
    let whole_only = matches!(unit, "count" | "year") && words.chars().count() == 1;
    let number = if whole_only {
        decimal(m.round().max(1.0), 0)
    } else {
        mantissa(rng, m)
    };
    let form = *weighted(
        rng,
        &[
            ("exact", 55),
            ("approx", 12),
            ("more_than", 12),
            ("at_least", 8),
            ("range", 6),
            ("less_than", 4),
            ("at_most", 3),
        ],
    );
    let plain = format!("{number}{words}");
    match form {
        "approx" => match rng.below(3) {
            0 => format!("约{plain}"),
            1 => format!("近{plain}"),
            _ => format!("{plain}左右"),
        },
        "more_than" => match rng.below(4) {
            0 => format!("超过{plain}"),
            1 => format!("突破{plain}"),
            2 => format!("逾{plain}"),
            // 多 and 余 sit between a whole number and its unit: 300多亿元, 60余家.
            _ if !number.contains('.') && unit != "percent" => {
                let more = if rng.chance(0.5) { "多" } else { "余" };
                format!("{number}{more}{words}")
            }
            _ => format!("超过{plain}"),
        },
        "at_least" => match rng.below(3) {
            0 => format!("{plain}以上"),
            1 => format!("不低于{plain}"),
            _ => format!("至少{plain}"),
        },
        "less_than" => match rng.below(2) {
            0 => format!("不足{plain}"),
            _ => format!("不到{plain}"),
        },
        "at_most" => match rng.below(2) {
            0 => format!("不超过{plain}"),
            _ => format!("{plain}以内"),
        },
        "range" => {
            let low: f64 = number.parse().unwrap_or(1.0);
            let high = low * (1.2 + rng.unit() * 1.3);
            let high = if whole_only || !number.contains('.') {
                decimal(high.ceil().max(low + 1.0), 0)
            } else {
                mantissa(rng, high)
            };
            format!("{number}—{high}{words}")
        }
        _ => plain,
    }
}

/// Writes a number and reads it back: the words, and what the parser makes of them.
pub fn quantity(
    rng: &mut Rng,
    profile: &Profile,
    unit: &str,
) -> Result<(String, Quantity), String> {
    let original = write(rng, profile, unit);
    let q = quantity::parse(&original).map_err(|e| format!("generated `{original}`: {e}"))?;
    if q.unit.code() != unit {
        return Err(format!(
            "generated `{original}` for {} reads as {}, not {unit}",
            profile.indicator,
            q.unit.code()
        ));
    }
    Ok((original, q))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_of(indicator: &str) -> &'static str {
        match indicator {
            "gdp"
            | "industrial_output_value"
            | "investment"
            | "cluster_output_value"
            | "revenue"
            | "annual_sales_revenue"
            | "rd_investment"
            | "economic_benefit" => "CNY",
            "export_value" => "USD",
            "gdp_growth" | "export_value_growth" | "share_of_projects" => "percent",
            "production_output" => "t",
            "floor_area" => "m2",
            "battery_production_capacity" => "GWh",
            "company_age" => "year",
            "thickness" | "diameter" => "mm",
            "machine_length" => "m",
            _ => "count",
        }
    }

    #[test]
    fn every_written_number_reads_back_in_its_unit() {
        let mut rng = Rng::new(42);
        let mut qualifiers = std::collections::BTreeSet::new();
        for table in [
            REGION_INDICATORS,
            ENTERPRISE_INDICATORS,
            PROJECT_INDICATORS,
            POLICY_INDICATORS,
        ] {
            for (profile, _) in table {
                for _ in 0..400 {
                    let (original, q) = quantity(&mut rng, profile, unit_of(profile.indicator))
                        .unwrap_or_else(|e| panic!("{e}"));
                    assert!(q.value > 0.0, "{original}");
                    qualifiers.insert(q.qualifier.as_str());
                }
            }
        }
        assert_eq!(qualifiers.len(), 7, "{qualifiers:?}");
    }

    #[test]
    fn examples_read_as_news_writes_them() {
        let q = quantity::parse("3315亿元").unwrap();
        assert_eq!(q.value, 331_500_000_000.0);
        assert_eq!(decimal(57.5200, 2), "57.52");
        assert_eq!(decimal(3315.0, 0), "3315");
    }
}
