//! The words industrial news uses for what it measures, and for when and how sure a number
//! is. The indicator table is a built-in vocabulary: an entry whose id (or Chinese name) is
//! already stored lends its words to the stored indicator; one that is not stored is proposed
//! as a new indicator with a proper id, English name and description when a draft needs it.

/// One indicator news writes about, with the words that name it in running text.
pub struct Entry {
    pub id: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
    /// Ways of writing it besides `name_zh` (营收 for 营业收入).
    pub words: &'static [&'static str],
    /// Counters (量词) that by themselves suggest it: 家 counts enterprises.
    pub counters: &'static str,
    /// The kind of subject its numbers are usually stated for.
    pub subject: Option<&'static str>,
    /// A kind fixed by what it measures: the number of measures in a policy is a fact about
    /// the document, however the sentence around it is phrased.
    pub kind: Option<&'static str>,
}

const fn entry(
    id: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    unit: &'static str,
    description: &'static str,
    words: &'static [&'static str],
) -> Entry {
    Entry {
        id,
        name_zh,
        name_en,
        unit,
        description,
        words,
        counters: "",
        subject: None,
        kind: None,
    }
}

impl Entry {
    const fn counters(mut self, counters: &'static str) -> Self {
        self.counters = counters;
        self
    }

    const fn about(mut self, subject: &'static str) -> Self {
        self.subject = Some(subject);
        self
    }

    const fn always(mut self, kind: &'static str) -> Self {
        self.kind = Some(kind);
        self
    }
}

pub const VOCABULARY: &[Entry] = &[
    // Money.
    entry(
        "revenue",
        "营业收入",
        "Operating revenue",
        "CNY",
        "Operating revenue of an enterprise in the period.",
        &["营收", "营业收入", "主营业务收入", "销售收入", "销售额"],
    )
    .about("enterprise"),
    entry(
        "annual_sales_revenue",
        "年销售收入",
        "Annual sales revenue",
        "CNY",
        "Sales revenue in one year, achieved or expected.",
        &["年销售收入", "年销售额", "年销售"],
    ),
    entry(
        "output_value",
        "产值",
        "Output value",
        "CNY",
        "Value of what was produced in the period.",
        &["产值", "总产值", "年产值"],
    ),
    entry(
        "industrial_output_value",
        "工业总产值",
        "Gross industrial output value",
        "CNY",
        "Gross value of industrial output in the period.",
        &["工业总产值", "工业产值"],
    ),
    entry(
        "investment",
        "总投资",
        "Total investment",
        "CNY",
        "Total (planned) investment in a project.",
        &["投资", "总投资", "投资额", "计划投资", "投资总额"],
    )
    .about("project"),
    entry(
        "fixed_asset_investment",
        "固定资产投资",
        "Fixed-asset investment",
        "CNY",
        "Investment in fixed assets in the period.",
        &["固定资产投资", "固投"],
    ),
    entry(
        "gdp",
        "地区生产总值",
        "Gross regional product",
        "CNY",
        "Value of all final goods and services produced in the region in the period.",
        &["地区生产总值", "生产总值", "GDP", "经济总量"],
    )
    .about("region"),
    entry(
        "industrial_value_added",
        "工业增加值",
        "Industrial value added",
        "CNY",
        "Value added by industry in the period.",
        &["工业增加值", "规上工业增加值", "增加值"],
    )
    .about("region"),
    entry(
        "rd_investment",
        "研发投入",
        "R&D investment",
        "CNY",
        "Spending on research and development in the period.",
        &["研发投入", "研发经费", "研发费用", "科研投入", "研发的投入"],
    ),
    entry(
        "export_value",
        "出口额",
        "Export value",
        "USD",
        "Value of exports in the period.",
        &["出口额", "出口总额", "出口值"],
    ),
    entry(
        "trade_value",
        "进出口总额",
        "Foreign trade value",
        "CNY",
        "Value of imports and exports together in the period.",
        &["进出口总额", "进出口额", "外贸总额"],
    ),
    entry(
        "profit",
        "利润总额",
        "Total profit",
        "CNY",
        "Profit of an enterprise or an industry in the period.",
        &["利润", "利润总额", "净利润"],
    ),
    entry(
        "tax_paid",
        "纳税额",
        "Tax paid",
        "CNY",
        "Taxes paid in the period.",
        &["纳税", "税收", "上缴税金"],
    ),
    entry(
        "cluster_output_value",
        "产业集群产值",
        "Industrial cluster output value",
        "CNY",
        "Output value of an industrial cluster.",
        &["产业集群产值", "产业集群", "集群产值", "产业规模"],
    ),
    entry(
        "economic_benefit",
        "经济效益",
        "Economic benefit",
        "CNY",
        "Direct and indirect economic benefit created, in money.",
        &["效益", "经济效益"],
    ),
    // Things made, power and energy.
    entry(
        "production_output",
        "产量",
        "Production output",
        "t",
        "Quantity of a product made in the period or designed to be made per year (kind capacity); the quote names the product.",
        &["产量", "年产量", "年产", "产能", "生产"],
    ),
    entry(
        "installed_capacity",
        "装机容量",
        "Installed capacity",
        "kW",
        "Rated power of the generating or storage units installed or planned.",
        &["装机", "装机容量", "总装机", "规模"],
    ),
    entry(
        "electricity_generation",
        "发电量",
        "Electricity generated",
        "GWh",
        "Electricity generated in the period.",
        &["发电量", "发电", "上网电量"],
    ),
    entry(
        "electricity_consumption",
        "用电量",
        "Electricity consumed",
        "GWh",
        "Electricity consumed in the period.",
        &["用电量", "用电", "耗电"],
    ),
    entry(
        "battery_production_capacity",
        "电池产能",
        "Battery production capacity",
        "GWh",
        "Battery cells a plant or project can make per year, in gigawatt-hours of storage capacity.",
        &["电池", "储能电池", "动力电池", "电池产能"],
    ),
    entry(
        "water_volume",
        "水量",
        "Water volume",
        "m3",
        "Volume of water supplied, used, saved or treated.",
        &["用水", "供水", "节水", "污水", "水量"],
    ),
    entry(
        "gas_volume",
        "天然气量",
        "Natural gas volume",
        "m3",
        "Volume of natural gas produced or supplied.",
        &["天然气", "气量", "燃气"],
    ),
    // Land, area and time.
    entry(
        "length",
        "长度",
        "Length",
        "m",
        "Length of the structure, line or machine the quote names.",
        &["长度", "总长", "全长", "长"],
    ),
    entry(
        "floor_area",
        "占地面积",
        "Floor area",
        "m2",
        "Area of land or floor space that a facility occupies.",
        &["占地", "占地面积", "建筑面积", "面积", "厂房"],
    ),
    entry(
        "land_area_mu",
        "用地面积（亩）",
        "Land area in mu",
        "mu",
        "Land a project or park occupies, in mu (1 mu = 2000/3 m²).",
        &["占地", "用地", "土地", "面积", "亩"],
    ),
    entry(
        "construction_period",
        "建设工期",
        "Construction period",
        "month",
        "Months a project takes to build.",
        &["工期", "建设周期", "周期", "建成"],
    ),
    entry(
        "company_age",
        "企业历史年限",
        "Enterprise age",
        "year",
        "Number of years an enterprise has existed, as of the period.",
        &["历史", "企业历史", "成立"],
    )
    .about("enterprise"),
    // Rates and shares.
    entry(
        "growth_rate",
        "增速",
        "Growth rate",
        "percent",
        "Year-on-year growth of the amount the quote names, in percent.",
        &["增长", "增速", "同比", "增幅", "提高", "提升"],
    ),
    entry(
        "share",
        "占比",
        "Share",
        "percent",
        "Share of a whole that the quote names, in percent.",
        &["占比", "比重", "占", "份额", "比例"],
    ),
    entry(
        "localisation_rate",
        "国产化率",
        "Localisation rate",
        "percent",
        "Share of parts or value made in China, in percent.",
        &["国产化率", "国产化"],
    ),
    entry(
        "yield_rate",
        "良品率",
        "Yield rate",
        "percent",
        "Share of products that pass inspection, in percent.",
        &["良品率", "良率", "成品率", "合格率"],
    ),
    entry(
        "change_in_points",
        "百分点变化",
        "Change in percentage points",
        "percentage_point",
        "Change of a rate or share, in percentage points; the quote names the rate.",
        &["提高", "下降", "提升", "增长", "高于", "低于"],
    ),
    entry(
        "growth_multiple",
        "增长倍数",
        "Growth multiple",
        "multiple",
        "How many times an amount grew or exceeds another; the quote names both.",
        &["增长", "提升", "提高", "是", "达"],
    ),
    // Counted things.
    entry(
        "enterprises",
        "企业数",
        "Enterprises",
        "count",
        "Number of enterprises of the kind the quote names.",
        &["企业", "厂家", "厂商", "经营主体", "市场主体", "规上工业"],
    )
    .counters("家")
    .about("region"),
    entry(
        "high_tech_enterprises",
        "高新技术企业数",
        "High-tech enterprises",
        "count",
        "Number of enterprises certified as high and new technology enterprises.",
        &["高新技术企业", "高企"],
    )
    .counters("家")
    .about("region"),
    entry(
        "listed_enterprises",
        "上市企业数",
        "Listed enterprises",
        "count",
        "Number of enterprises listed on a stock exchange (kind target: to be brought to listing).",
        &["上市企业", "企业上市", "上市公司", "上市"],
    )
    .counters("家"),
    entry(
        "satellites_launched",
        "卫星发射数量",
        "Satellites launched",
        "count",
        "Number of satellites launched in the period, or scheduled to be launched (kind plan).",
        &["卫星", "发射"],
    )
    .counters("颗"),
    entry(
        "employees",
        "从业人员",
        "Workers employed",
        "count",
        "Number of people working in the industry, enterprise or unit.",
        &["从业人员", "从业者", "员工", "职工", "工人", "人员"],
    )
    .counters("名人"),
    entry(
        "jobs_created",
        "新增就业岗位",
        "Jobs created",
        "count",
        "Number of jobs created.",
        &["就业岗位", "岗位", "就业"],
    )
    .counters("个"),
    entry(
        "patents_granted",
        "获得专利",
        "Patents granted",
        "count",
        "Number of patents granted.",
        &["专利", "授权专利"],
    )
    .counters("项件"),
    entry(
        "projects",
        "项目数",
        "Projects",
        "count",
        "Number of projects of the kind the quote names.",
        &["项目", "重点项目", "签约项目"],
    )
    .counters("个项")
    .about("region"),
    entry(
        "vehicles",
        "车辆数",
        "Vehicles",
        "count",
        "Number of vehicles made, sold or put in service.",
        &["汽车", "整车", "车辆", "新能源汽车"],
    )
    .counters("辆台"),
    entry(
        "production_lines",
        "生产线数",
        "Production lines",
        "count",
        "Number of production lines.",
        &["生产线", "产线"],
    )
    .counters("条"),
    entry(
        "awards",
        "获奖数",
        "Awards",
        "count",
        "Number of awards or prizes of the kind the quote names, won or given in a competition.",
        &["等奖", "获奖", "奖项", "奖"],
    ),
    entry(
        "trainings_held",
        "培训场次",
        "Training sessions held",
        "count",
        "Number of training sessions held.",
        &["培训"],
    )
    .counters("场期次"),
    entry(
        "people_trained",
        "培训人数",
        "People trained",
        "count",
        "Number of people who took part in training.",
        &["培训", "参训", "人员", "学员"],
    )
    .counters("人名"),
    entry(
        "policy_measures",
        "政策措施数",
        "Policy measures",
        "count",
        "Number of measures (articles) in a policy package.",
        &["措施", "政策措施", "条措施", "政策"],
    )
    .counters("条")
    .about("policy")
    .always("actual"),
    entry(
        "policy_areas",
        "政策方面数",
        "Policy areas",
        "count",
        "Number of areas (方面) into which the measures of a policy package are grouped.",
        &["方面"],
    )
    .about("policy")
    .always("actual"),
];

/// Words that make a number a designed or production capacity.
pub const CAPACITY_WORDS: &[&str] = &[
    "设计",
    "产能",
    "装机",
    "最多可",
    "可容纳",
    "年处理",
    "日处理",
    "年吞吐",
    "储能规模",
];
/// 年产 is capacity (年产铜35.8万吨), unless it is 年产量 or 年产值, which are output.
pub const ANNUAL_MAKE: &str = "年产";
/// Words that make a number a goal.
pub const TARGET_WORDS: &[&str] = &["目标", "力争", "确保", "争取", "奋斗"];
/// Words that make a number an announced intention or expectation.
pub const PLAN_WORDS: &[&str] = &[
    "计划",
    "拟",
    "将",
    "预计",
    "可达",
    "规划",
    "有望",
    "预期",
    "可提供",
    "可带动",
    "可新增",
    "建成后",
    "投产后",
];
/// Words before a time that make it the base of a comparison (比去年同期), not the period.
pub const COMPARISON_WORDS: &[&str] = &["比", "较", "同比", "相比", "对比"];
/// Referring words that stand for a zone: an industrial park, development zone or new area.
pub const ZONE_REFERENTS: &[&str] = &["园区", "开发区", "新区"];
/// Words that keep a number without a date from being dated by the publication: it sums up
/// an unstated span of years.
pub const UNDATED_WORDS: &[&str] = &["近年来", "累计", "多年来", "历年", "以来累计"];
/// Words saying that a percentage is a change of the amount named before it.
pub const GROWTH_WORDS: &[&str] = &["增长", "增速", "同比", "增幅", "提高", "下降", "提升"];
/// The suffixes of indicator names that say "the number of" and are dropped when matching.
pub const COUNT_SUFFIXES: &[&str] = &["总数", "数量", "数"];

/// A word that refers back to an entity named earlier: 该市, 全区, 该公司, 本项目.
pub const REFERRING_PREFIXES: &[&str] = &["全", "该", "本", "我", "各"];
/// What a referring word can stand for, by the last characters of the entity's name, with the
/// kind of entity meant when no name ends that way (该企业 means an enterprise).
pub const REFERENTS: &[(&str, &str)] = &[
    ("市", "region"),
    ("省", "region"),
    ("区", "region"),
    ("县", "region"),
    ("镇", "region"),
    ("乡", "region"),
    ("街道", "region"),
    ("园区", "region"),
    ("新区", "region"),
    ("开发区", "region"),
    ("公司", "enterprise"),
    ("企业", "enterprise"),
    ("集团", "enterprise"),
    ("厂", "enterprise"),
    ("研究院", "enterprise"),
    ("大学", "enterprise"),
    ("项目", "project"),
    ("工程", "project"),
    ("基地", "project"),
    ("产线", "project"),
    ("中试产线", "project"),
    ("方案", "policy"),
    ("意见", "policy"),
    ("规划", "policy"),
    ("政策", "policy"),
];
/// Referring words written bare at the start of a clause (街道对……投入达3.6亿元).
pub const BARE_REFERENTS: &[&str] = &["街道", "项目", "公司", "园区"];

/// Name endings of organisations, with the enterprise kind they suggest.
pub const ORGANISATION_SUFFIXES: &[(&str, &str)] = &[
    ("股份有限公司", "company"),
    ("有限责任公司", "company"),
    ("有限公司", "company"),
    ("集团", "company"),
    ("公司", "company"),
    ("研究院", "research_institute"),
    ("研究所", "research_institute"),
    ("实验室", "research_institute"),
    ("大学", "university"),
    ("学院", "university"),
    ("协会", "association"),
    ("商会", "association"),
    ("管委会", "government"),
    ("委员会", "government"),
];
/// Characters and words at which the name of an organisation or project cannot continue
/// leftwards: grammar words and verbs that introduce a name.
pub const NAME_STOPS: &str =
    "的在和与及由对向从为是了把被让使等之其并也都已还就又于到至赴该本全各这此那";
pub const NAME_LEAD_WORDS: &[&str] = &[
    "位于",
    "落户",
    "引进",
    "推动",
    "支持",
    "拥有",
    "成立",
    "组建",
    "投资",
    "建设",
    "实施",
    "启动",
    "签约",
    "依托",
    "联合",
    "牵头",
    "携手",
    "通过",
    "来自",
    "记者从",
    "据",
    "今年",
    "目前",
    "其中",
    "全市",
    "全省",
    "全区",
    "重点",
    "重大",
    "相关",
    "一批",
    "多家",
    "新建",
    "开工",
    "总投资",
    "计划",
];

/// Endings of place names, with the level they suggest and how long the part before them may
/// be (省 after two or three characters: 甘肃省, 黑龙江省).
pub const PLACE_SUFFIXES: &[(&str, &str, usize, usize)] = &[
    ("自治区", "province", 2, 5),
    ("省", "province", 2, 3),
    ("自治州", "prefecture", 2, 6),
    ("市", "prefecture", 2, 3),
    ("自治县", "county", 2, 6),
    ("县", "county", 2, 3),
    ("区", "district", 2, 2),
    ("街道", "subdistrict", 2, 3),
    ("镇", "subdistrict", 2, 3),
    ("经济技术开发区", "zone", 2, 6),
    ("高新技术产业开发区", "zone", 2, 6),
    ("开发区", "zone", 2, 6),
    ("高新区", "zone", 2, 6),
    ("经开区", "zone", 2, 6),
    ("新区", "zone", 2, 4),
    ("工业园区", "zone", 2, 8),
    ("产业园区", "zone", 2, 8),
    ("工业园", "zone", 2, 8),
    ("产业园", "zone", 2, 8),
    ("科学城", "zone", 2, 6),
];
/// Words a place ending begins that are not places (市场, 区域, 省级).
pub const PLACE_FOLLOWERS: &[&str] = &[
    "场", "民", "值", "域", "块", "间", "级", "内", "外", "容", "政", "属", "辖", "镇化",
];
/// Words ending like a place that are not one.
pub const NOT_PLACES: &[&str] = &[
    "上市", "城市", "都市", "超市", "门市", "股市", "城区", "市区", "郊区", "景区", "厂区", "矿区",
    "山区", "老区", "灾区", "社区", "辖区", "小区", "片区", "街区", "特区", "地区", "校区", "营区",
    "范区", "验区", "能区", "聚区", "心区", "载区", "行区", "展区", "业区", "带区", "地县", "乡镇",
    "城镇", "村镇", "集镇", "全省", "各省", "外省", "本省", "全县", "各县", "全市", "各市", "本市",
    "该市", "我市",
];
