//! Partial ISO dates (`2021`, `2021-07`, `2021-07-15`) and periods (`2021/2022`).

/// A partial date as (year, month, day), zero for the parts the text does not give.
pub type PartialDate = (u16, u8, u8);

pub fn parse_partial_date(s: &str) -> Option<PartialDate> {
    // Read from the bytes, with no allocation: a page of series parses two periods for each
    // of thousands of points.
    let b = s.as_bytes();
    let number = |part: &[u8]| -> Option<u16> {
        part.iter().try_fold(0u16, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0'))
        })
    };
    let (year, rest) = (b.get(..4)?, &b[4..]);
    let year = number(year)?;
    if !(1800..=2200).contains(&year) {
        return None;
    }
    // Each further part is a dash and two digits.
    let part = |rest: &[u8]| -> Option<u8> {
        match rest {
            [b'-', a, b, ..] => u8::try_from(number(&[*a, *b])?).ok(),
            _ => None,
        }
    };
    let (month, rest) = match rest {
        [] => return Some((year, 0, 0)),
        _ => (part(rest).filter(|m| (1..=12).contains(m))?, &rest[3..]),
    };
    match rest {
        [] => Some((year, month, 0)),
        [_, _, _] => {
            let day = part(rest).filter(|d| *d >= 1 && *d <= days_in_month(year, month))?;
            Some((year, month, day))
        }
        _ => None,
    }
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
    let (first, last) = period_days(s)?;
    let text = |d| String::from_utf8_lossy(&iso(d)).into_owned();
    Some((text(first), text(last)))
}

/// The first and last day of a period as (year, month, day), or None when it is malformed.
pub fn period_days(s: &str) -> Option<(PartialDate, PartialDate)> {
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
    (first <= last).then_some((first, last))
}

/// A whole date as `YYYY-MM-DD`, written digit by digit: a page of series writes two for each
/// of thousands of points, and the formatting machinery costs several times the parsing.
pub fn iso((y, m, d): PartialDate) -> [u8; 10] {
    let digit = |n: u16| b'0' + (n % 10) as u8;
    let (m, d) = (u16::from(m), u16::from(d));
    [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(d / 10),
        digit(d),
    ]
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
