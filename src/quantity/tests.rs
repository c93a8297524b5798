use super::*;
use Qualifier::*;
use Unit::*;

/// The failure kinds `parse` reports; the unknown unit is checked by name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fail {
    NoNumber,
    UnknownUnit(&'static str),
    Malformed,
}

type Expected = Result<(f64, Option<f64>, Unit, Qualifier), Fail>;

const fn q(value: f64, unit: Unit, qualifier: Qualifier) -> Expected {
    Ok((value, None, unit, qualifier))
}

const fn range(value: f64, max: f64, unit: Unit) -> Expected {
    Ok((value, Some(max), unit, Range))
}

const CASES: &[(&str, Expected)] = &[
    // Every quantity in the source article.
    ("0.03毫米", q(0.03, Millimetre, Exact)),
    ("突破6800吨", q(6800.0, Tonne, MoreThan)),
    ("419毫米", q(419.0, Millimetre, Exact)),
    ("9毫米", q(9.0, Millimetre, Exact)),
    ("60多年", q(60.0, Year, MoreThan)),
    ("8吉瓦时", q(8.0, GigawattHour, Exact)),
    ("57.52亿元", q(5_752_000_000.0, Cny, Exact)),
    ("35.8万吨", q(358_000.0, Tonne, Exact)),
    ("10吨", q(10.0, Tonne, Exact)),
    ("150吨", q(150.0, Tonne, Exact)),
    ("260亿元以上", q(26_000_000_000.0, Cny, AtLeast)),
    ("26条", q(26.0, Count, Exact)),
    ("12家", q(12.0, Count, Exact)),
    ("19家", q(19.0, Count, Exact)),
    ("58家", q(58.0, Count, Exact)),
    ("34家", q(34.0, Count, Exact)),
    ("11个", q(11.0, Count, Exact)),
    ("64条", q(64.0, Count, Exact)),
    ("1300亿元以上", q(130_000_000_000.0, Cny, AtLeast)),
    ("600亿元", q(60_000_000_000.0, Cny, Exact)),
    ("突破600亿元", q(60_000_000_000.0, Cny, MoreThan)),
    ("500亿元", q(50_000_000_000.0, Cny, Exact)),
    ("突破500亿元", q(50_000_000_000.0, Cny, MoreThan)),
    ("11%", q(11.0, Percent, Exact)),
    ("3315亿元", q(331_500_000_000.0, Cny, Exact)),
    ("2199亿元", q(219_900_000_000.0, Cny, Exact)),
    ("3—5家", range(3.0, 5.0, Count)),
    ("上百家", q(100.0, Count, AtLeast)),
    ("千亿级", q(100_000_000_000.0, Cny, AtLeast)),
    ("两颗", q(2.0, Count, Exact)),
    ("24颗", q(24.0, Count, Exact)),
    ("至少有90%", q(90.0, Percent, AtLeast)),
    ("近30个", q(30.0, Count, Approx)),
    ("约15米", q(15.0, Metre, Approx)),
    ("48根", q(48.0, Count, Exact)),
    ("12珠", q(12.0, Count, Exact)),
    ("3片", q(3.0, Count, Exact)),
    ("30余家", q(30.0, Count, MoreThan)),
    ("50余家", q(50.0, Count, MoreThan)),
    ("210余家", q(210.0, Count, MoreThan)),
    ("超过1.8万名", q(18_000.0, Count, MoreThan)),
    ("100多万针", q(1_000_000.0, Count, MoreThan)),
    ("超1000万元", q(10_000_000.0, Cny, MoreThan)),
    ("3.6亿元", q(360_000_000.0, Cny, Exact)),
    ("达3.6亿元", q(360_000_000.0, Cny, Exact)),
    ("1.2万台", q(12_000.0, Count, Exact)),
    ("超过17991万美元", q(179_910_000.0, Usd, MoreThan)),
    ("50%", q(50.0, Percent, Exact)),
    ("371项", q(371.0, Count, Exact)),
    ("60余场", q(60.0, Count, MoreThan)),
    ("近400家", q(400.0, Count, Approx)),
    ("5000余人", q(5000.0, Count, MoreThan)),
    ("279项", q(279.0, Count, Exact)),
    ("779个", q(779.0, Count, Exact)),
    ("175项", q(175.0, Count, Exact)),
    ("188项", q(188.0, Count, Exact)),
    ("229项", q(229.0, Count, Exact)),
    ("184篇", q(184.0, Count, Exact)),
    ("339亿元", q(33_900_000_000.0, Cny, Exact)),
    ("3项", q(3.0, Count, Exact)),
    ("23项", q(23.0, Count, Exact)),
    ("6项", q(6.0, Count, Exact)),
    ("11项", q(11.0, Count, Exact)),
    ("仅11项", q(11.0, Count, Exact)),
    ("近50场", q(50.0, Count, Approx)),
    ("118家", q(118.0, Count, Exact)),
    ("2000余人", q(2000.0, Count, MoreThan)),
    ("15名", q(15.0, Count, Exact)),
    ("仅有15名", q(15.0, Count, Exact)),
    ("不足百平方米", q(100.0, SquareMetre, LessThan)),
    ("千万元", q(10_000_000.0, Cny, Exact)),
    ("4条", q(4.0, Count, Exact)),
    ("千米", q(1000.0, Metre, Exact)),
    ("两年", q(2.0, Year, Exact)),
    ("近两年", q(2.0, Year, Approx)),
    ("几十年", q(10.0, Year, MoreThan)),
    ("一台", q(1.0, Count, Exact)),
    ("1.2期", q(1.2, Count, Exact)),
    ("500强", Err(Fail::UnknownUnit("强"))),
    ("5G", Err(Fail::UnknownUnit("G"))),
    ("1号", Err(Fail::UnknownUnit("号"))),
    ("2022年", Err(Fail::Malformed)),
    ("2021年7月", Err(Fail::Malformed)),
    ("2018年3月", Err(Fail::Malformed)),
    ("3月12日", Err(Fail::Malformed)),
    ("第十四次", Err(Fail::Malformed)),
    ("十四五", Err(Fail::Malformed)),
    // Arabic numerals.
    ("1,300", q(1300.0, Count, Exact)),
    ("1，300家", q(1300.0, Count, Exact)),
    ("1,300,000元", q(1_300_000.0, Cny, Exact)),
    ("1,300.5吨", q(1300.5, Tonne, Exact)),
    ("１２３吨", q(123.0, Tonne, Exact)),
    ("３．５％", q(3.5, Percent, Exact)),
    ("0.5%", q(0.5, Percent, Exact)),
    ("12.5万", q(125_000.0, Count, Exact)),
    ("1.5万亿元", q(1_500_000_000_000.0, Cny, Exact)),
    ("57.52亿", q(5_752_000_000.0, Count, Exact)),
    ("5千米", q(5000.0, Metre, Exact)),
    (" 12家 ", q(12.0, Count, Exact)),
    // Chinese numerals.
    ("二十四", q(24.0, Count, Exact)),
    ("一百五十", q(150.0, Count, Exact)),
    ("三千", q(3000.0, Count, Exact)),
    ("十四", q(14.0, Count, Exact)),
    ("一百零五", q(105.0, Count, Exact)),
    ("两千零二十三", q(2023.0, Count, Exact)),
    ("一百五", q(150.0, Count, Exact)),
    ("一万五千", q(15_000.0, Count, Exact)),
    ("一亿五千万元", q(150_000_000.0, Cny, Exact)),
    ("万亿元", q(1_000_000_000_000.0, Cny, Exact)),
    ("百万", q(1_000_000.0, Count, Exact)),
    ("零", q(0.0, Count, Exact)),
    ("数十", q(10.0, Count, MoreThan)),
    ("数百万元", q(1_000_000.0, Cny, MoreThan)),
    ("十多万", q(100_000.0, Count, MoreThan)),
    ("二十多年", q(20.0, Year, MoreThan)),
    ("十几家", q(10.0, Count, MoreThan)),
    ("上千万元", q(10_000_000.0, Cny, AtLeast)),
    ("百分之五十", q(50.0, Percent, Exact)),
    ("一千克", q(0.001, Tonne, Exact)),
    ("五六个", range(5.0, 6.0, Count)),
    ("两三年", range(2.0, 3.0, Year)),
    ("三五家", range(3.0, 5.0, Count)),
    ("三四十万元", range(300_000.0, 400_000.0, Cny)),
    // Ranges.
    ("3-5", range(3.0, 5.0, Count)),
    ("3–5", range(3.0, 5.0, Count)),
    ("3~5", range(3.0, 5.0, Count)),
    ("3至5", range(3.0, 5.0, Count)),
    ("3到5", range(3.0, 5.0, Count)),
    ("3~5万元", range(30_000.0, 50_000.0, Cny)),
    ("3万至5万元", range(30_000.0, 50_000.0, Cny)),
    ("3%—5%", range(3.0, 5.0, Percent)),
    ("三至五家", range(3.0, 5.0, Count)),
    ("一到两年", range(1.0, 2.0, Year)),
    ("约3—5家", range(3.0, 5.0, Count)),
    // Bounding words.
    ("约3000人", q(3000.0, Count, Approx)),
    ("大约20%", q(20.0, Percent, Approx)),
    ("将近100家", q(100.0, Count, Approx)),
    ("100家左右", q(100.0, Count, Approx)),
    ("逾百家", q(100.0, Count, MoreThan)),
    ("超过50万吨", q(500_000.0, Tonne, MoreThan)),
    ("不少于10项", q(10.0, Count, AtLeast)),
    ("不低于30%", q(30.0, Percent, AtLeast)),
    ("不到5000人", q(5000.0, Count, LessThan)),
    ("低于3%", q(3.0, Percent, LessThan)),
    ("100人以内", q(100.0, Count, AtMost)),
    ("不超过50亿元", q(5_000_000_000.0, Cny, AtMost)),
    ("最多12珠", q(12.0, Count, AtMost)),
    ("达到100亿元", q(10_000_000_000.0, Cny, Exact)),
    ("累计3000家", q(3000.0, Count, Exact)),
    ("总计20项", q(20.0, Count, Exact)),
    ("共5台", q(5.0, Count, Exact)),
    ("一年多", q(1.0, Year, MoreThan)),
    ("约1000多人", q(1000.0, Count, MoreThan)),
    ("超过1000万元以上", q(10_000_000.0, Cny, MoreThan)),
    ("万吨级", q(10_000.0, Tonne, AtLeast)),
    ("10万吨级", q(100_000.0, Tonne, AtLeast)),
    ("2000多年", q(2000.0, Year, MoreThan)),
    ("近2000年", q(2000.0, Year, Approx)),
    ("50年", q(50.0, Year, Exact)),
    // Units.
    ("5公里", q(5000.0, Metre, Exact)),
    ("3厘米", q(30.0, Millimetre, Exact)),
    ("500千克", q(0.5, Tonne, Exact)),
    ("2平方公里", q(2_000_000.0, SquareMetre, Exact)),
    ("1200平米", q(1200.0, SquareMetre, Exact)),
    ("3GWh", q(3.0, GigawattHour, Exact)),
    ("500兆瓦时", q(0.5, GigawattHour, Exact)),
    ("20人次", q(20.0, Count, Exact)),
    ("5项目", q(5.0, Count, Exact)),
    ("8辆", q(8.0, Count, Exact)),
    ("1000万美元", q(10_000_000.0, Usd, Exact)),
    // Power, energy, volume and land, each in one base unit.
    ("500千瓦", q(500.0, Kilowatt, Exact)),
    ("200兆瓦", q(200_000.0, Kilowatt, Exact)),
    ("1.2吉瓦", q(1_200_000.0, Kilowatt, Exact)),
    ("120万千瓦", q(1_200_000.0, Kilowatt, Exact)),
    ("800瓦", q(0.8, Kilowatt, Exact)),
    ("50MW", q(50_000.0, Kilowatt, Exact)),
    ("3GW", q(3_000_000.0, Kilowatt, Exact)),
    ("30万千瓦时", q(0.3, GigawattHour, Exact)),
    ("12亿千瓦时", q(1200.0, GigawattHour, Exact)),
    ("1.5亿度", q(150.0, GigawattHour, Exact)),
    ("80万度", q(0.8, GigawattHour, Exact)),
    ("2太瓦时", q(2000.0, GigawattHour, Exact)),
    ("500立方米", q(500.0, CubicMetre, Exact)),
    ("3.2万立方米", q(32_000.0, CubicMetre, Exact)),
    ("近百万立方", q(1_000_000.0, CubicMetre, Approx)),
    ("300亩", q(300.0, Mu, Exact)),
    ("1.5万亩", q(15_000.0, Mu, Exact)),
    ("20公顷", q(200_000.0, SquareMetre, Exact)),
    // Shares, multiples and durations.
    ("六成", q(60.0, Percent, Exact)),
    ("两成", q(20.0, Percent, Exact)),
    ("近七成", q(70.0, Percent, Approx)),
    ("三成以上", q(30.0, Percent, AtLeast)),
    ("3个百分点", q(3.0, PercentagePoint, Exact)),
    ("1.5个百分点", q(1.5, PercentagePoint, Exact)),
    ("0.8百分点", q(0.8, PercentagePoint, Exact)),
    ("5倍以上", q(5.0, Multiple, AtLeast)),
    ("2.5倍", q(2.5, Multiple, Exact)),
    ("近百倍", q(100.0, Multiple, Approx)),
    ("3个月", q(3.0, Month, Exact)),
    ("十八个月", q(18.0, Month, Exact)),
    ("三个多月", q(3.0, Month, MoreThan)),
    ("6—8个月", range(6.0, 8.0, Month)),
    // Mixed magnitudes.
    ("1亿6千万元", q(160_000_000.0, Cny, Exact)),
    ("3万5千吨", q(35_000.0, Tonne, Exact)),
    ("2亿3000万元", q(230_000_000.0, Cny, Exact)),
    ("超1亿5千万元", q(150_000_000.0, Cny, MoreThan)),
    ("1亿6千万至2亿元", range(160_000_000.0, 200_000_000.0, Cny)),
    ("12辆", q(12.0, Count, Exact)),
    ("3艘", q(3.0, Count, Exact)),
    ("5万头", q(50_000.0, Count, Exact)),
    // Failures.
    ("左右", Err(Fail::NoNumber)),
    ("金昌", Err(Fail::NoNumber)),
    ("", Err(Fail::NoNumber)),
    ("超过", Err(Fail::NoNumber)),
    ("5斤", Err(Fail::UnknownUnit("斤"))),
    ("3光年", Err(Fail::UnknownUnit("光年"))),
    ("3个小时", Err(Fail::UnknownUnit("个小时"))),
    ("45度", Err(Fail::UnknownUnit("度"))),
    ("1300度", Err(Fail::UnknownUnit("度"))),
    ("3..5", Err(Fail::Malformed)),
    ("3—", Err(Fail::Malformed)),
    ("5-3家", Err(Fail::Malformed)),
    ("不足100以上", Err(Fail::Malformed)),
    ("2021—2025年", Err(Fail::Malformed)),
    ("二〇二二年", Err(Fail::Malformed)),
    ("2023-03-12", Err(Fail::Malformed)),
    ("abc3", Err(Fail::Malformed)),
    ("3级", Err(Fail::Malformed)),
];

fn kind(error: &QuantityError) -> Fail {
    match error {
        QuantityError::NoNumber(_) => Fail::NoNumber,
        QuantityError::UnknownUnit { .. } => Fail::UnknownUnit("?"),
        QuantityError::Malformed(_) => Fail::Malformed,
    }
}

#[test]
fn parses_every_case() {
    assert!(CASES.len() >= 100, "only {} cases", CASES.len());
    let mut failures = Vec::new();
    for &(input, expected) in CASES {
        let actual = parse(input);
        let ok = match (&actual, expected) {
            (Ok(got), Ok((value, value_max, unit, qualifier))) => {
                got.value == value
                    && got.value_max == value_max
                    && got.unit == unit
                    && got.qualifier == qualifier
            }
            (Err(QuantityError::UnknownUnit { input: i, unit }), Err(Fail::UnknownUnit(want))) => {
                i == input && unit == want
            }
            (Err(error), Err(want)) => kind(error) == want,
            _ => false,
        };
        if !ok {
            failures.push(format!("{input:?}: expected {expected:?}, got {actual:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn errors_name_their_input() {
    for input in ["金昌", "5斤", "3..5"] {
        let message = parse(input).unwrap_err().to_string();
        assert!(message.contains(input), "{message}");
    }
    assert!(parse("5斤").unwrap_err().to_string().contains("斤"));
}

#[test]
fn codes_match_serde_names() {
    for unit in Unit::ALL {
        let json = serde_json::to_string(&unit).unwrap();
        assert_eq!(json, format!("{:?}", unit.code()));
        assert_eq!(Unit::from_code(unit.code()), Some(unit));
        assert_eq!(serde_json::from_str::<Unit>(&json).unwrap(), unit);
    }
    for qualifier in Qualifier::ALL {
        let json = serde_json::to_string(&qualifier).unwrap();
        assert_eq!(json, format!("{:?}", qualifier.as_str()));
        assert_eq!(Qualifier::from_code(qualifier.as_str()), Some(qualifier));
    }
    assert_eq!(Unit::from_code("kg"), None);
    assert_eq!(Qualifier::from_code("about"), None);
}

/// A copy of the article in shared/source-page.txt, kept beside the tests so
/// they do not depend on files outside the repository.
/// The five articles of the seed, which are the page as printed, one after another.
fn page() -> String {
    crate::db::seed::SEED
        .iter()
        .map(|(_, bundle)| {
            let bundle: serde_json::Value = serde_json::from_str(bundle).unwrap();
            bundle["source"]["text"].as_str().unwrap().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Span texts the scanner must report on the source page, bounding words
/// included. 达/达到/仅有 are fillers and stay outside the span.
const PAGE_SPANS: &[&str] = &[
    "0.03毫米",
    "突破6800吨",
    "419毫米",
    "9毫米",
    "60多年",
    "8吉瓦时",
    "57.52亿元",
    "35.8万吨",
    "10吨",
    "150吨",
    "260亿元以上",
    "26条",
    "12家",
    "19家",
    "58家",
    "34家",
    "11个",
    "64条",
    "1300亿元以上",
    "突破600亿元",
    "突破500亿元",
    "11%",
    "3315亿元",
    "2199亿元",
    "3—5家",
    "上百家",
    "千亿级",
    "两颗",
    "24颗",
    "至少有90%",
    "近30个",
    "约15米",
    "48根",
    "12珠",
    "3片",
    "30余家",
    "50余家",
    "210余家",
    "超过1.8万名",
    "100多万针",
    "超1000万元",
    "3.6亿元",
    "1.2万台",
    "超过17991万美元",
    "50%",
    "371项",
    "60余场",
    "近400家",
    "5000余人",
    "279项",
    "779个",
    "175项",
    "188项",
    "229项",
    "184篇",
    "339亿元",
    "3项",
    "23项",
    "6项",
    "11项",
    "近50场",
    "118家",
    "2000余人",
    "15名",
    "不足百平方米",
    "千万元",
    "4条",
    "千米",
    "两年",
    "近两年",
    "几十年",
];

/// Spans the page must report with no quantity.
const PAGE_UNPARSED: &[&str] = &[
    "3月12日",
    "2021年7月",
    "2022年",
    "2018年3月",
    "2020年",
    "2月2日",
    "1月",
    "第十四次",
    "十四五",
    "第一枚",
    "5G",
    "500强",
];

#[test]
fn scans_the_source_page() {
    let page = page();
    let found = scan(&page);
    let chars: Vec<char> = page.chars().collect();
    let mut previous_end = 0;
    for f in &found {
        assert_eq!(f.text, chars[f.start..f.end].iter().collect::<String>());
        assert!(f.start >= previous_end && f.start < f.end, "{f:?}");
        assert_eq!(f.quantity, parse(&f.text).ok(), "{f:?}");
        previous_end = f.end;
    }
    let texts: Vec<&str> = found.iter().map(|f| f.text.as_str()).collect();
    let missing: Vec<_> = PAGE_SPANS.iter().filter(|s| !texts.contains(s)).collect();
    assert!(missing.is_empty(), "missing {missing:?} in {texts:?}");
    for text in PAGE_SPANS {
        let f = found.iter().find(|f| f.text == *text).unwrap();
        assert!(f.quantity.is_some(), "{f:?}");
    }
    for text in PAGE_UNPARSED {
        let f = found.iter().find(|f| f.text == *text);
        assert!(f.is_some_and(|f| f.quantity.is_none()), "{text}: {f:?}");
    }
    for word in [
        "一批",
        "一方面",
        "一号工程",
        "一站式",
        "一目了然",
        "千方百计",
    ] {
        for (at, _) in page.match_indices(word) {
            let start = page[..at].chars().count();
            let end = start + word.chars().count();
            let overlapping = found.iter().find(|f| f.start < end && start < f.end);
            assert!(overlapping.is_none(), "{word} at {start}: {overlapping:?}");
        }
    }
}

#[test]
fn scan_offsets_are_in_chars() {
    let found = scan("约15米，近30个");
    let spans: Vec<_> = found
        .iter()
        .map(|f| (f.start, f.end, f.text.as_str()))
        .collect();
    assert_eq!(spans, [(0, 4, "约15米"), (5, 9, "近30个")]);
}

#[test]
fn scan_skips_ordinary_words() {
    let found = scan(
        "引进一批企业，另一方面，千方百计，唯一一家，万一，三五成群，乱七八糟，一成不变，建成3家",
    );
    let texts: Vec<&str> = found.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(texts, ["一家", "3家"]);
}
