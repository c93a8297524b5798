//! Four short articles written for these tests in the manner of industrial news (not taken
//! from any paper), with every number the scanner must find in them and how it must read.
//! They exercise what the seed does not: power, energy, volume, 亩, 成, 个百分点, 倍, months
//! and mixed magnitudes. The extractor's tests draft them too.

use super::Qualifier::{self, *};
use super::Unit::{self, *};
use super::{Quantity, scan};

pub const STORAGE: &str = "金昌经开区新型储能产业加速集聚

本报讯（记者 李明远）4月18日，记者从金昌经济技术开发区管委会获悉，今年一季度，园区新型储能产业完成投资12.6亿元，同比增长35%，增速比去年同期提高8.5个百分点。

在金昌经开区东侧，甘肃恒储新能源科技有限公司的储能电池生产基地项目正在加紧建设。该项目总投资1亿6千万元，占地260亩，设计年产储能电池5吉瓦时，预计今年10月投产，建成后年产值可达30亿元，可提供就业岗位800个。

该公司负责人介绍，项目配套建设的屋顶分布式光伏电站装机容量为12兆瓦，年发电量约1300万度，可满足生产线六成以上的用电需求。

2022年，金昌市新能源装机规模突破500万千瓦，新能源发电量占全市发电量的比重达到四成。力争到2025年，全市新型储能装机达到100万千瓦，储能产业产值比2022年增长3倍以上。";

pub const VEHICLES: &str = "新能源汽车产业链跑出加速度

本报讯 记者从市工业和信息化局了解到，2023年上半年，全市规模以上工业增加值同比增长9.2%，其中新能源汽车产业产值达到486亿元，占规上工业产值的比重超过三成。

全市新能源汽车产量达12.5万辆，是去年同期的2.3倍；动力电池产量约18吉瓦时。目前，全市汽车零部件配套企业已有320余家，本地配套率由两年前的不足45%提高到近六成。

今年以来，当地新签约汽车产业项目27个，计划总投资超过520亿元。其中，年产30万套电驱动系统项目建设周期仅为18个月，一期工程已于5月建成投产。

按照规划，到2025年，全市新能源汽车年产能将达到50万辆，产业规模力争突破2000亿元，带动就业3万5千人。";

pub const WATER: &str = "园区循环水项目节水成效明显

科技日报讯（通讯员 王晓 记者 赵宁）记者近日从某工业园区获悉，园区投资2.8亿元建设的中水回用项目已稳定运行三个多月，日处理污水能力达4万立方米，每年可节约新鲜水约1200万立方米。

该项目占地约85亩，建设工期14个月，比原计划缩短两个月。项目采用的膜处理工艺使吨水处理成本下降近两成，处理后的水质达标率保持在99.5%以上。

据统计，园区现有入驻企业136家，从业人员1.8万余人，2022年实现工业总产值318亿元，较上年增长12.6%；单位产值能耗下降3.2个百分点。园区计划再投入1亿2千万元，新建5座污水提升泵站，总规模达到每日6万立方米。";

pub const POWER: &str = "风光储一体化项目并网发电

本报记者 孙悦

近日，位于戈壁滩上的一座200兆瓦风光储一体化电站实现全容量并网。电站由80台单机容量2.5兆瓦的风电机组和光伏阵列组成，配套建设储能电站50兆瓦/100兆瓦时，占地面积约320公顷。

据测算，电站投运后年均发电量可达5.6亿千瓦时，相当于每年节约标准煤17万吨，减少二氧化碳排放约46万吨。当地居民年用电量约为800万度，电站一天半的发电量就能满足。

电站建设期间高峰时有施工人员1500多人，当地企业承接了近七成的土建工程，工程款累计超过3亿元。";

type Reading = (&'static str, f64, Unit, Qualifier);

/// Every number of each article that is not a date, in order, as the scanner must read it.
pub const READINGS: &[(&str, &[Reading])] = &[
    (
        STORAGE,
        &[
            ("12.6亿元", 1_260_000_000.0, Cny, Exact),
            ("35%", 35.0, Percent, Exact),
            ("8.5个百分点", 8.5, PercentagePoint, Exact),
            ("1亿6千万元", 160_000_000.0, Cny, Exact),
            ("260亩", 260.0, Mu, Exact),
            ("5吉瓦时", 5.0, GigawattHour, Exact),
            ("30亿元", 3_000_000_000.0, Cny, Exact),
            ("800个", 800.0, Count, Exact),
            ("12兆瓦", 12_000.0, Kilowatt, Exact),
            ("约1300万度", 13.0, GigawattHour, Approx),
            ("六成以上", 60.0, Percent, AtLeast),
            ("突破500万千瓦", 5_000_000.0, Kilowatt, MoreThan),
            ("四成", 40.0, Percent, Exact),
            ("100万千瓦", 1_000_000.0, Kilowatt, Exact),
            ("3倍以上", 3.0, Multiple, AtLeast),
        ],
    ),
    (
        VEHICLES,
        &[
            ("9.2%", 9.2, Percent, Exact),
            ("486亿元", 48_600_000_000.0, Cny, Exact),
            ("超过三成", 30.0, Percent, MoreThan),
            ("12.5万辆", 125_000.0, Count, Exact),
            ("2.3倍", 2.3, Multiple, Exact),
            ("约18吉瓦时", 18.0, GigawattHour, Approx),
            ("320余家", 320.0, Count, MoreThan),
            ("两年", 2.0, Year, Exact),
            ("不足45%", 45.0, Percent, LessThan),
            ("近六成", 60.0, Percent, Approx),
            ("27个", 27.0, Count, Exact),
            ("超过520亿元", 52_000_000_000.0, Cny, MoreThan),
            ("30万套", 300_000.0, Count, Exact),
            ("18个月", 18.0, Month, Exact),
            ("一期", 1.0, Count, Exact),
            ("50万辆", 500_000.0, Count, Exact),
            ("突破2000亿元", 200_000_000_000.0, Cny, MoreThan),
            ("3万5千人", 35_000.0, Count, Exact),
        ],
    ),
    (
        WATER,
        &[
            ("2.8亿元", 280_000_000.0, Cny, Exact),
            ("三个多月", 3.0, Month, MoreThan),
            ("4万立方米", 40_000.0, CubicMetre, Exact),
            ("约1200万立方米", 12_000_000.0, CubicMetre, Approx),
            ("约85亩", 85.0, Mu, Approx),
            ("14个月", 14.0, Month, Exact),
            ("两个月", 2.0, Month, Exact),
            ("近两成", 20.0, Percent, Approx),
            ("99.5%以上", 99.5, Percent, AtLeast),
            ("136家", 136.0, Count, Exact),
            ("1.8万余人", 18_000.0, Count, MoreThan),
            ("318亿元", 31_800_000_000.0, Cny, Exact),
            ("12.6%", 12.6, Percent, Exact),
            ("3.2个百分点", 3.2, PercentagePoint, Exact),
            ("1亿2千万元", 120_000_000.0, Cny, Exact),
            ("5座", 5.0, Count, Exact),
            ("6万立方米", 60_000.0, CubicMetre, Exact),
        ],
    ),
    (
        POWER,
        &[
            ("一座", 1.0, Count, Exact),
            ("200兆瓦", 200_000.0, Kilowatt, Exact),
            ("80台", 80.0, Count, Exact),
            ("2.5兆瓦", 2_500.0, Kilowatt, Exact),
            ("50兆瓦", 50_000.0, Kilowatt, Exact),
            ("100兆瓦时", 0.1, GigawattHour, Exact),
            ("约320公顷", 3_200_000.0, SquareMetre, Approx),
            ("5.6亿千瓦时", 560.0, GigawattHour, Exact),
            ("17万吨", 170_000.0, Tonne, Exact),
            ("约46万吨", 460_000.0, Tonne, Approx),
            ("约为800万度", 8.0, GigawattHour, Approx),
            ("1500多人", 1500.0, Count, MoreThan),
            ("近七成", 70.0, Percent, Approx),
            ("超过3亿元", 300_000_000.0, Cny, MoreThan),
        ],
    ),
];

#[test]
fn the_articles_read_as_written() {
    let mut failures = Vec::new();
    for (article, expected) in READINGS {
        let found: Vec<(String, Option<Quantity>)> = scan(article)
            .into_iter()
            .filter(|f| !super::is_date(&f.text))
            .map(|f| (f.text, f.quantity))
            .collect();
        let want: Vec<(String, Option<Quantity>)> = expected
            .iter()
            .map(|&(text, value, unit, qualifier)| {
                let q = Quantity {
                    value,
                    value_max: None,
                    unit,
                    qualifier,
                };
                (text.to_owned(), Some(q))
            })
            .collect();
        if found != want {
            let title = article.lines().next().unwrap_or_default();
            failures.push(format!("{title}:\n  found {found:?}\n  wanted {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
