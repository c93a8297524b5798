//! Enterprises, projects and policies placed in the grown regions. Busy regions get more of
//! them (a Zipf draw), so a capital has hundreds of firms and a remote county a handful.

use super::names::{INDUSTRIES, IdPool, Name, NamePool};
use super::rng::{Rng, weighted};
use super::world::{Skewed, Subject};
use industry_facts::bundle::model::{Enterprise, Policy, Project};

const COMPANY_SUFFIXES: &[(&str, &str, &str)] = &[
    ("有限公司", "Co., Ltd.", ""),
    ("集团", "Group", "-group"),
    ("股份有限公司", "Co., Ltd.", "-shares"),
    ("科技有限公司", "Technology Co., Ltd.", "-tech"),
];

/// Products of projects: Chinese, English, slug.
const PRODUCTS: &[(&str, &str, &str)] = &[
    (
        "锂电池正极材料",
        "Lithium Battery Cathode Material",
        "cathode",
    ),
    ("高纯镍", "High-purity Nickel", "high-purity-nickel"),
    ("光伏组件", "Photovoltaic Module", "pv-module"),
    (
        "稀土永磁材料",
        "Rare-earth Permanent Magnet",
        "rare-earth-magnet",
    ),
    (
        "智能装备制造",
        "Intelligent Equipment Manufacturing",
        "smart-equipment",
    ),
    ("数据中心", "Data Centre", "data-centre"),
    ("氢能", "Hydrogen Energy", "hydrogen"),
    ("电解铜箔", "Electrolytic Copper Foil", "copper-foil"),
    ("储能电站", "Energy Storage Station", "energy-storage"),
    (
        "集成电路封装测试",
        "IC Packaging and Testing",
        "ic-packaging",
    ),
    ("新能源汽车零部件", "NEV Components", "nev-components"),
    (
        "生物医药产业化",
        "Biomedicine Industrialisation",
        "biomedicine",
    ),
];

const PHASES: &[(&str, &str, &str)] = &[
    ("", "", ""),
    ("一期", " Phase I", "-phase-1"),
    ("二期", " Phase II", "-phase-2"),
    ("扩建", " Expansion", "-expansion"),
    ("技改", " Technical Upgrade", "-upgrade"),
];

fn subject(type_: &'static str, id: &str, name_zh: &str, region_id: &str) -> Subject {
    Subject {
        type_,
        id: id.to_owned(),
        name_zh: name_zh.to_owned(),
        region_id: region_id.to_owned(),
    }
}

/// The place's name without its level word, for names like `永盛新材料研究院`.
fn place_short(place: &Subject) -> String {
    super::world::short_name(&place.name_zh)
}

pub fn enterprises(
    rng: &mut Rng,
    ids: &mut IdPool,
    places: &[Subject],
    count: usize,
) -> (Vec<Enterprise>, Vec<Subject>) {
    let where_ = Skewed::new(places, 0.8);
    let mut brands = NamePool::new();
    let mut out = Vec::with_capacity(count);
    let mut subjects = Vec::with_capacity(count);
    for _ in 0..count {
        let place = where_.draw(rng);
        let industry = *rng.pick(INDUSTRIES);
        let brand: Name = brands.draw(rng);
        let place_en = place.id.split('-').next().unwrap_or(&place.id).to_owned();
        let kind = *weighted(
            rng,
            &[
                ("company", 85),
                ("research_institute", 6),
                ("university", 3),
                ("association", 4),
                ("government", 2),
            ],
        );
        let (name_zh, name_en, base, aliases) = match kind {
            "company" => {
                let (zh, en, slug) = *rng.pick(COMPANY_SUFFIXES);
                (
                    format!("{}{}{zh}", brand.zh, industry.zh),
                    format!("{} {} {en}", brand.title(), industry.en),
                    format!("{}-{}{slug}", brand.pinyin, industry.tag),
                    vec![format!("{}{}", brand.zh, industry.zh)],
                )
            }
            "research_institute" => (
                format!("{}{}研究院", place_short(place), industry.zh),
                format!("{} {} Research Institute", title(&place_en), industry.en),
                format!("{place_en}-{}-institute", industry.tag),
                vec![],
            ),
            "university" => (
                format!("{}理工大学", brand.zh),
                format!("{} University of Technology", brand.title()),
                format!("{}-university", brand.pinyin),
                vec![format!("{}理工", brand.zh)],
            ),
            "association" => (
                format!("{}{}行业协会", place_short(place), industry.zh),
                format!("{} {} Industry Association", title(&place_en), industry.en),
                format!("{place_en}-{}-association", industry.tag),
                vec![],
            ),
            _ => (
                format!("{}工业和信息化局", place_short(place)),
                format!(
                    "{} Bureau of Industry and Information Technology",
                    title(&place_en)
                ),
                format!("{place_en}-industry-bureau"),
                vec![],
            ),
        };
        let id = ids.claim(&base);
        let mut industries = vec![industry.tag.to_owned()];
        let second = rng.pick(INDUSTRIES).tag;
        if rng.chance(0.3) && second != industry.tag {
            industries.push(second.to_owned());
        }
        subjects.push(subject("enterprise", &id, &name_zh, &place.region_id));
        out.push(Enterprise {
            id,
            name_zh,
            name_en,
            kind: kind.to_owned(),
            region_id: Some(place.region_id.clone()),
            industries,
            aliases,
        });
    }
    (out, subjects)
}

fn title(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

pub fn projects(
    rng: &mut Rng,
    ids: &mut IdPool,
    firms: &[Subject],
    count: usize,
) -> (Vec<Project>, Vec<Subject>) {
    let owners = Skewed::new(firms, 0.7);
    let mut out = Vec::with_capacity(count);
    let mut subjects = Vec::with_capacity(count);
    for _ in 0..count {
        let owner = owners.draw(rng);
        let (zh, en, slug) = *rng.pick(PRODUCTS);
        let (phase_zh, phase_en, phase_slug) = *rng.pick(PHASES);
        let short: String = owner.name_zh.chars().take(2).collect();
        let name_zh = format!("{short}{zh}{phase_zh}项目");
        let owner_en = owner.id.split('-').next().unwrap_or(&owner.id);
        let id = ids.claim(&format!("{owner_en}-{slug}{phase_slug}"));
        let status = *weighted(
            rng,
            &[
                ("planned", 15),
                ("under_construction", 35),
                ("operating", 35),
                ("completed", 10),
                ("unknown", 5),
            ],
        );
        let started = rng.chance(0.7).then(|| {
            let year = rng.between(2015, 2025);
            if rng.chance(0.4) {
                format!("{year}-{:02}", rng.between(1, 12))
            } else {
                year.to_string()
            }
        });
        subjects.push(subject("project", &id, &name_zh, &owner.region_id));
        out.push(Project {
            id,
            name_en: format!("{} {en} Project{phase_en}", title(owner_en)),
            description: Some(format!("{}建设的{zh}项目。", owner.name_zh)),
            name_zh,
            region_id: Some(owner.region_id.clone()),
            enterprise_ids: vec![owner.id.clone()],
            status: status.to_owned(),
            started,
        });
    }
    (out, subjects)
}

const POLICY_FORMS: &[(&str, &str, &str, &str)] = &[
    ("产业发展规划", "Industry Development Plan", "plan", "plan"),
    (
        "关于加快产业高质量发展的意见",
        "Opinions on Accelerating High-quality Development of the Industry",
        "opinion",
        "opinions",
    ),
    (
        "产业发展若干措施",
        "Measures for Developing the Industry",
        "measures",
        "measures",
    ),
    (
        "产业倍增行动方案",
        "Action Plan for Doubling the Industry",
        "action",
        "action",
    ),
    (
        "产业园区管理办法",
        "Rules for Managing Industrial Parks",
        "regulation",
        "rules",
    ),
];

pub fn policies(
    rng: &mut Rng,
    ids: &mut IdPool,
    places: &[Subject],
    count: usize,
) -> (Vec<Policy>, Vec<Subject>) {
    let where_ = Skewed::new(places, 0.9);
    let mut out = Vec::with_capacity(count);
    let mut subjects = Vec::with_capacity(count);
    for _ in 0..count {
        let place = where_.draw(rng);
        let industry = *rng.pick(INDUSTRIES);
        let (zh, en, kind, slug) = *rng.pick(POLICY_FORMS);
        let place_en = place.id.split('-').next().unwrap_or(&place.id);
        let title_zh = format!("{}{}{zh}", place.name_zh, industry.zh);
        let id = ids.claim(&format!("{place_en}-{}-{slug}", industry.tag));
        let issued = rng.chance(0.8).then(|| rng.between(2016, 2025).to_string());
        subjects.push(subject("policy", &id, &title_zh, &place.region_id));
        out.push(Policy {
            id,
            title_en: format!("{} {} {en}", title(place_en), industry.en),
            region_id: Some(place.region_id.clone()),
            issued,
            kind: kind.to_owned(),
            summary: Some(format!(
                "{}推动{}产业发展的政策文件。",
                place.name_zh, industry.zh
            )),
            title_zh,
        });
    }
    (out, subjects)
}
