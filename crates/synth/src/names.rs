//! Made-up but plausible names: two-character place and brand names with their pinyin, and
//! the industries enterprises, projects and policies are about. A name's pinyin gives its id,
//! so ids stay typeable slugs as the contract asks.

use std::collections::HashSet;

use super::rng::Rng;

/// Characters common in Chinese place and brand names, with their pinyin.
const SYLLABLES: &[(&str, &str)] = &[
    ("安", "an"),
    ("宁", "ning"),
    ("永", "yong"),
    ("平", "ping"),
    ("定", "ding"),
    ("兴", "xing"),
    ("华", "hua"),
    ("盛", "sheng"),
    ("泰", "tai"),
    ("和", "he"),
    ("丰", "feng"),
    ("源", "yuan"),
    ("清", "qing"),
    ("河", "he"),
    ("山", "shan"),
    ("阳", "yang"),
    ("城", "cheng"),
    ("东", "dong"),
    ("西", "xi"),
    ("南", "nan"),
    ("北", "bei"),
    ("江", "jiang"),
    ("湖", "hu"),
    ("林", "lin"),
    ("川", "chuan"),
    ("岭", "ling"),
    ("石", "shi"),
    ("银", "yin"),
    ("玉", "yu"),
    ("龙", "long"),
    ("凤", "feng"),
    ("云", "yun"),
    ("海", "hai"),
    ("德", "de"),
    ("康", "kang"),
    ("福", "fu"),
    ("顺", "shun"),
    ("嘉", "jia"),
    ("新", "xin"),
    ("长", "chang"),
    ("广", "guang"),
    ("武", "wu"),
    ("文", "wen"),
    ("乐", "le"),
    ("庆", "qing"),
    ("远", "yuan"),
    ("秀", "xiu"),
    ("松", "song"),
    ("桂", "gui"),
    ("梅", "mei"),
    ("青", "qing"),
    ("白", "bai"),
    ("崇", "chong"),
    ("济", "ji"),
    ("通", "tong"),
    ("鹤", "he"),
    ("宝", "bao"),
    ("富", "fu"),
    ("临", "lin"),
    ("祥", "xiang"),
];

/// An industry as names and tags spell it.
#[derive(Debug, Clone, Copy)]
pub struct Industry {
    pub zh: &'static str,
    pub en: &'static str,
    pub tag: &'static str,
}

pub const INDUSTRIES: &[Industry] = &[
    Industry {
        zh: "新材料",
        en: "New Materials",
        tag: "new-materials",
    },
    Industry {
        zh: "新能源",
        en: "New Energy",
        tag: "new-energy",
    },
    Industry {
        zh: "有色金属",
        en: "Nonferrous Metals",
        tag: "nonferrous-metals",
    },
    Industry {
        zh: "稀土",
        en: "Rare Earth",
        tag: "rare-earth",
    },
    Industry {
        zh: "锂电",
        en: "Lithium Battery",
        tag: "lithium-battery",
    },
    Industry {
        zh: "光伏",
        en: "Photovoltaics",
        tag: "photovoltaics",
    },
    Industry {
        zh: "化工",
        en: "Chemicals",
        tag: "chemicals",
    },
    Industry {
        zh: "电子信息",
        en: "Electronics",
        tag: "electronics",
    },
    Industry {
        zh: "智能装备",
        en: "Intelligent Equipment",
        tag: "intelligent-equipment",
    },
    Industry {
        zh: "生物医药",
        en: "Biomedicine",
        tag: "biomedicine",
    },
    Industry {
        zh: "汽车",
        en: "Automotive",
        tag: "automotive",
    },
    Industry {
        zh: "钢铁",
        en: "Steel",
        tag: "steel",
    },
    Industry {
        zh: "纺织",
        en: "Textiles",
        tag: "textiles",
    },
    Industry {
        zh: "食品",
        en: "Food",
        tag: "food",
    },
    Industry {
        zh: "半导体",
        en: "Semiconductors",
        tag: "semiconductors",
    },
    Industry {
        zh: "卫星互联网",
        en: "Satellite Internet",
        tag: "satellite-internet",
    },
];

/// A two-character name and its pinyin in one word (`永盛`, `yongsheng`).
#[derive(Debug, Clone)]
pub struct Name {
    pub zh: String,
    pub pinyin: String,
}

impl Name {
    /// The pinyin with a capital, as English text writes place names (`Yongsheng`).
    pub fn title(&self) -> String {
        let mut chars = self.pinyin.chars();
        match chars.next() {
            Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
            None => String::new(),
        }
    }
}

/// Draws two-character names, each at most once per pool, so no two places share a name.
pub struct NamePool {
    used: HashSet<String>,
}

impl NamePool {
    pub fn new() -> Self {
        Self {
            used: HashSet::new(),
        }
    }

    /// A fresh name; after many draws a third character keeps names unique.
    pub fn draw(&mut self, rng: &mut Rng) -> Name {
        for attempt in 0.. {
            let (a, pa) = rng.pick(SYLLABLES);
            let (b, pb) = rng.pick(SYLLABLES);
            let mut name = Name {
                zh: format!("{a}{b}"),
                pinyin: format!("{pa}{pb}"),
            };
            if a == b {
                continue;
            }
            if attempt > 20 {
                let (c, pc) = rng.pick(SYLLABLES);
                name.zh.push_str(c);
                name.pinyin.push_str(pc);
            }
            if self.used.insert(name.zh.clone()) {
                return name;
            }
        }
        unreachable!("the loop returns")
    }
}

impl Default for NamePool {
    fn default() -> Self {
        Self::new()
    }
}

/// Ids already taken (by the seed or by earlier draws); a clash gets `-2`, `-3`, ….
pub struct IdPool {
    used: HashSet<String>,
}

impl IdPool {
    pub fn new(taken: impl IntoIterator<Item = String>) -> Self {
        Self {
            used: taken.into_iter().collect(),
        }
    }

    pub fn claim(&mut self, base: &str) -> String {
        if self.used.insert(base.to_owned()) {
            return base.to_owned();
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|id| self.used.insert(id.clone()))
            .expect("some suffix is free")
    }
}

/// Family and given names for bylines.
pub fn person(rng: &mut Rng) -> String {
    const FAMILY: &[&str] = &[
        "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "马", "颜",
    ];
    const GIVEN: &[&str] = &[
        "伟", "芳", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明", "超", "景阳",
        "满斌", "宝乐", "晓东",
    ];
    format!("{}{}", rng.pick(FAMILY), rng.pick(GIVEN))
}
