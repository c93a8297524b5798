//! Partial ISO dates (`2021`, `2021-07`, `2021-07-15`) and periods (`2021/2022`).

/// A partial date as (year, month, day), zero for the parts the text does not give.
pub type PartialDate = (u16, u8, u8);

pub fn parse_partial_date(s: &str) -> Option<PartialDate> {
    let parts: Vec<&str> = s.split('-').collect();
    let number = |p: &str, len: usize| -> Option<u16> {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok())?
    };
    let year = number(parts.first()?, 4)?;
    if !(1800..=2200).contains(&year) {
        return None;
    }
    let month = match parts.get(1) {
        Some(p) => u8::try_from(number(p, 2)?)
            .ok()
            .filter(|m| (1..=12).contains(m))?,
        None => 0,
    };
    let day = match parts.get(2) {
        Some(p) => u8::try_from(number(p, 2)?)
            .ok()
            .filter(|d| *d >= 1 && *d <= days_in_month(year, month))?,
        None => 0,
    };
    (parts.len() <= 3).then_some((year, month, day))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The first and last year a period covers, or None when it is malformed.
pub fn period_years(s: &str) -> Option<(u16, u16)> {
    match s.split_once('/') {
        None => parse_partial_date(s).map(|(y, _, _)| (y, y)),
        Some((a, b)) => {
            let start = parse_partial_date(a)?;
            let end = parse_partial_date(b)?;
            (start < end).then_some((start.0, end.0))
        }
    }
}

/// The first and last day a period covers, as ISO dates: a chart places a point by these, so
/// every form (`2022`, `2022-03`, `2022-03-15`, `2021/2022`) is put on one time axis.
pub fn period_bounds(s: &str) -> Option<(String, String)> {
    let (a, b) = s.split_once('/').unwrap_or((s, s));
    let (y1, m1, d1) = parse_partial_date(a)?;
    let (y2, m2, d2) = parse_partial_date(b)?;
    let first = (y1, m1.max(1), d1.max(1));
    let last_month = if m2 == 0 { 12 } else { m2 };
    let last_day = if d2 == 0 {
        days_in_month(y2, last_month)
    } else {
        d2
    };
    let last = (y2, last_month, last_day);
    let iso = |(y, m, d): (u16, u8, u8)| format!("{y:04}-{m:02}-{d:02}");
    (first <= last).then(|| (iso(first), iso(last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates() {
        assert_eq!(parse_partial_date("2021"), Some((2021, 0, 0)));
        assert_eq!(parse_partial_date("2021-07"), Some((2021, 7, 0)));
        assert_eq!(parse_partial_date("2024-02-29"), Some((2024, 2, 29)));
        for bad in [
            "",
            "21",
            "2021-7",
            "2021-13",
            "2023-02-29",
            "2021-07-15-1",
            "２０２１",
            "abcd",
        ] {
            assert_eq!(parse_partial_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn bounds() {
        let b = |s: &str| period_bounds(s).map(|(a, b)| format!("{a}..{b}"));
        assert_eq!(b("2022").as_deref(), Some("2022-01-01..2022-12-31"));
        assert_eq!(b("2024-02").as_deref(), Some("2024-02-01..2024-02-29"));
        assert_eq!(b("2023-02").as_deref(), Some("2023-02-01..2023-02-28"));
        assert_eq!(b("2022-03-15").as_deref(), Some("2022-03-15..2022-03-15"));
        assert_eq!(b("2021/2022").as_deref(), Some("2021-01-01..2022-12-31"));
        assert_eq!(
            b("2021-07/2023-06").as_deref(),
            Some("2021-07-01..2023-06-30")
        );
        assert_eq!(b("2022/2021"), None);
        assert_eq!(b("soon"), None);
    }

    #[test]
    fn periods() {
        assert_eq!(period_years("2022"), Some((2022, 2022)));
        assert_eq!(period_years("2021/2022"), Some((2021, 2022)));
        assert_eq!(period_years("2021-07/2023"), Some((2021, 2023)));
        assert_eq!(period_years("2022/2021"), None);
        assert_eq!(period_years("2022/2022"), None);
        assert_eq!(period_years("2022/"), None);
    }
}
