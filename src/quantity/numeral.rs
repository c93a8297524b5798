//! Numbers as news writes them: Arabic digits (half- or full-width, with
//! thousands separators and decimals), Chinese numerals, and the magnitudes
//! 十百千万亿 that either kind may carry.

use super::Qualifier;
use super::lexicon::unit_at;

/// A non-negative decimal held as `digits × 10^exp`.
///
/// Magnitudes and unit conversions only move `exp`, and the single conversion
/// to `f64` is correctly rounded, so 57.52亿 becomes exactly 5752000000.0
/// instead of the `57.52 * 1e8` float product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Decimal {
    digits: u128,
    exp: i32,
}

impl Decimal {
    pub(super) const fn integer(digits: u128) -> Self {
        Decimal { digits, exp: 0 }
    }

    pub(super) fn shifted(self, by: i32) -> Self {
        Decimal {
            digits: self.digits,
            exp: self.exp + by,
        }
    }

    /// Both digit strings at the smaller exponent, for exact sums and comparisons.
    fn aligned(self, other: Self) -> Option<(u128, u128, i32)> {
        let exp = self.exp.min(other.exp);
        let widen = |d: Decimal| {
            d.digits
                .checked_mul(10u128.checked_pow((d.exp - exp).unsigned_abs())?)
        };
        Some((widen(self)?, widen(other)?, exp))
    }

    /// The exact sum; `None` on overflow.
    pub(super) fn checked_add(self, other: Self) -> Option<Self> {
        let (a, b, exp) = self.aligned(other)?;
        Some(Decimal {
            digits: a.checked_add(b)?,
            exp,
        })
    }

    pub(super) fn less_than(self, other: Self) -> bool {
        self.aligned(other).is_some_and(|(a, b, _)| a < b)
    }

    /// The whole-number value, if there is no fractional part.
    pub(super) fn as_integer(self) -> Option<u128> {
        if self.exp >= 0 {
            self.digits
                .checked_mul(10u128.checked_pow(self.exp.unsigned_abs())?)
        } else {
            let divisor = 10u128.checked_pow(self.exp.unsigned_abs())?;
            (self.digits % divisor == 0).then(|| self.digits / divisor)
        }
    }

    /// Correctly rounded, because the standard library's float parser is;
    /// `None` if the value does not fit in an `f64`.
    pub(super) fn to_f64(self) -> Option<f64> {
        let value: f64 = format!("{}e{}", self.digits, self.exp).parse().ok()?;
        value.is_finite().then_some(value)
    }
}

/// One number as written, before any unit.
#[derive(Debug, Clone, Copy)]
pub(super) struct Number {
    /// The digits before any trailing magnitude: 3 in "3万".
    pub base: Decimal,
    /// Power of ten of the trailing magnitudes, kept apart so the first end of
    /// "3~5万" can borrow the 万 written only after the second.
    pub magnitude: i32,
    /// Whether 百, 千, 万 or 亿 was written; 级 only makes sense after them.
    pub scaled: bool,
    /// 多/余/几/数 (more than) or 上 (at least) written inside the number.
    pub qualifier: Option<Qualifier>,
    /// Digit count when written as a bare positional integer ("2022",
    /// "二〇二二"), the only shape a calendar year takes.
    pub positional: Option<usize>,
    pub chinese: bool,
    /// Where the number starts and ends (exclusive), in chars.
    pub start: usize,
    pub end: usize,
}

impl Number {
    pub(super) fn value(&self) -> Decimal {
        self.base.shifted(self.magnitude)
    }
}

/// Value of an Arabic digit, half- or full-width.
pub(super) fn arabic_digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// Value of a Chinese digit; 两 is the form of 二 used before counters.
fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Power of ten of a magnitude character.
fn magnitude(c: char) -> Option<i32> {
    Some(match c {
        '十' => 1,
        '百' => 2,
        '千' => 3,
        '万' => 4,
        '亿' => 8,
        _ => return None,
    })
}

pub(super) fn is_chinese_numeral(c: char) -> bool {
    chinese_digit(c).is_some() || magnitude(c).is_some()
}

/// Reads the number starting at `chars[i]`, with any 多/余 and trailing
/// magnitudes ("100多万", "1.2万", "二十多万").
pub(super) fn read_number(chars: &[char], i: usize) -> Option<Number> {
    let mut number = if chars.get(i).copied().and_then(arabic_digit).is_some() {
        read_arabic(chars, i)?
    } else {
        read_chinese(chars, i)?
    };
    let mut j = number.end;
    while let Some(&c) = chars.get(j) {
        // A unit may itself start with a magnitude: 千瓦时, 百分点.
        if unit_at(chars, j).is_some() {
            break;
        }
        if let Some(exp) = magnitude(c) {
            number.magnitude += exp;
            number.scaled |= exp >= 2;
        } else if matches!(c, '多' | '余') && number.qualifier.is_none() {
            number.qualifier = Some(Qualifier::MoreThan);
        } else {
            break;
        }
        number.positional = None;
        j += 1;
    }
    number.end = j;
    if let Some(rest) = lower_magnitudes(chars, &number) {
        // 1亿6千万 is one number: keep the head's magnitude so a range still sees it written.
        let total = number.value().checked_add(rest.value())?;
        number.base = total.shifted(-number.magnitude);
        number.qualifier = number.qualifier.or(rest.qualifier);
        number.end = rest.end;
    }
    Some(number)
}

/// The rest of a number written in mixed magnitudes, as in 1亿6千万元 or 3万5千吨: Arabic
/// digits with a smaller magnitude right after a 万 or 亿, adding less than one of it.
fn lower_magnitudes(chars: &[char], head: &Number) -> Option<Number> {
    if head.magnitude < 4 || head.qualifier.is_some() {
        return None;
    }
    chars.get(head.end).copied().and_then(arabic_digit)?;
    let rest = read_number(chars, head.end)?;
    let one_of_head = Decimal::integer(1).shifted(head.magnitude);
    let smaller = rest.value().less_than(one_of_head);
    (rest.magnitude >= 3 && smaller).then_some(rest)
}

/// Two neighbouring Chinese digits are a vague range: 五六个 is five or six,
/// 三四十万 is 30万 to 40万, and 三五 (three to five) is idiomatic too.
pub(super) fn read_neighbours(chars: &[char], i: usize) -> Option<(Number, Number)> {
    let low = chinese_digit(*chars.get(i)?)?;
    let high = chinese_digit(*chars.get(i + 1)?)?;
    if low == 0 || !(high == low + 1 || (low, high) == (3, 5)) {
        return None;
    }
    let mut number = Number {
        base: Decimal::integer(low.into()),
        magnitude: 0,
        scaled: false,
        qualifier: None,
        positional: None,
        chinese: true,
        start: i,
        end: i + 2,
    };
    while let Some(exp) = chars.get(number.end).and_then(|&c| magnitude(c)) {
        if unit_at(chars, number.end).is_some() {
            break;
        }
        number.magnitude += exp;
        number.scaled |= exp >= 2;
        number.end += 1;
    }
    let upper = Number {
        base: Decimal::integer(high.into()),
        ..number
    };
    Some((number, upper))
}

/// Arabic digits with optional thousands separators and decimal part.
fn read_arabic(chars: &[char], i: usize) -> Option<Number> {
    let digit_at = |k: usize| chars.get(k).copied().and_then(arabic_digit);
    let mut digits: u128 = 0;
    let mut exp = 0;
    let mut count = 0;
    let mut group = 0;
    let mut grouped = false;
    let mut j = i;
    loop {
        if let Some(d) = digit_at(j) {
            digits = digits.checked_mul(10)?.checked_add(d.into())?;
            count += 1;
            group += 1;
            j += 1;
        } else if is_group_separator(chars, j) && (if grouped { group == 3 } else { group <= 3 }) {
            grouped = true;
            group = 0;
            j += 1;
        } else {
            break;
        }
    }
    let fraction = matches!(chars.get(j), Some('.' | '．')) && digit_at(j + 1).is_some();
    if fraction {
        j += 1;
        while let Some(d) = digit_at(j) {
            digits = digits.checked_mul(10)?.checked_add(d.into())?;
            exp -= 1;
            j += 1;
        }
    }
    Some(Number {
        base: Decimal { digits, exp },
        magnitude: 0,
        scaled: false,
        qualifier: None,
        positional: (!grouped && !fraction).then_some(count),
        chinese: false,
        start: i,
        end: j,
    })
}

/// A comma is a thousands separator only when exactly three digits follow it;
/// otherwise it is the punctuation that Chinese text is full of ("3，5").
fn is_group_separator(chars: &[char], j: usize) -> bool {
    let digit = |k: usize| chars.get(k).copied().and_then(arabic_digit).is_some();
    matches!(chars.get(j), Some(',' | '，'))
        && (j + 1..=j + 3).all(digit)
        && !digit(j + 4)
        && j > 0
        && digit(j - 1)
}

/// A run of Chinese numerals, with the vague forms 数十, 几十, 十几, 上百.
fn read_chinese(chars: &[char], i: usize) -> Option<Number> {
    let next_is_magnitude = chars.get(i + 1).is_some_and(|&c| magnitude(c).is_some());
    let mut qualifier = match chars.get(i)? {
        '数' | '几' if next_is_magnitude => Some(Qualifier::MoreThan),
        '上' if next_is_magnitude && chars[i + 1] != '十' => Some(Qualifier::AtLeast),
        _ => None,
    };
    let start = if qualifier.is_some() { i + 1 } else { i };
    let mut end = start;
    while chars.get(end).is_some_and(|&c| is_chinese_numeral(c)) && unit_at(chars, end).is_none() {
        end += 1;
    }
    if end == start {
        return None;
    }
    let run = &chars[start..end];
    let (base, trailing, positional) = chinese_value(run)?;
    if qualifier.is_none() && chars.get(end) == Some(&'几') && magnitude_last(run) {
        qualifier = Some(Qualifier::MoreThan);
        end += 1;
    }
    Some(Number {
        base: Decimal::integer(base),
        magnitude: trailing,
        scaled: run.iter().any(|&c| magnitude(c).is_some_and(|e| e >= 2)),
        qualifier,
        positional,
        chinese: true,
        start: i,
        end,
    })
}

fn magnitude_last(run: &[char]) -> bool {
    run.last().is_some_and(|&c| magnitude(c).is_some())
}

/// Splits a run into base, trailing 万/亿 magnitude and positional digit
/// count. The trailing 万/亿 is split off only when the rest has none, so
/// 一亿五千万 stays one number while 三至五万 can lend 万 to 三.
fn chinese_value(run: &[char]) -> Option<(u128, i32, Option<usize>)> {
    // Digit-by-digit writing is how years appear (二〇二二); elsewhere two
    // digits in a row are not a number (唯一一家 is 唯一 + 一家).
    let positional_shape = run.len() == 4 || run.contains(&'〇');
    if run.len() >= 2
        && positional_shape
        && run.iter().all(|&c| c != '两' && chinese_digit(c).is_some())
    {
        let mut value: u128 = 0;
        for &c in run {
            value = value
                .checked_mul(10)?
                .checked_add(chinese_digit(c)?.into())?;
        }
        return Some((value, 0, Some(run.len())));
    }
    let mut split = run.len();
    while split > 0 && matches!(run[split - 1], '万' | '亿') {
        split -= 1;
    }
    if run[..split].iter().any(|c| matches!(c, '万' | '亿')) {
        split = run.len();
    }
    let trailing: i32 = run[split..].iter().filter_map(|&c| magnitude(c)).sum();
    let base = if split == 0 {
        1
    } else {
        chinese_integer(&run[..split])?
    };
    let positional = (run.len() == 1 && chinese_digit(run[0]).is_some()).then_some(1);
    Some((base, trailing, positional))
}

/// Value of a Chinese numeral in its full form: 二十四, 一百零五, 一亿五千万,
/// 千万. The spoken shortening 一百五 (150) and 一万五 (15000) is accepted;
/// two digits in a row (十四五, a plan's name) are not a number.
fn chinese_integer(run: &[char]) -> Option<u128> {
    let mut total: u128 = 0; // completed 亿 groups
    let mut wan: u128 = 0; // completed 万 group inside the current 亿 group
    let mut section: u128 = 0; // below 万
    let mut digit: Option<u128> = None;
    let mut smallest_unit = u128::MAX; // 十百千 must fall within a section
    let mut last_unit: u128 = 1;
    let mut after_zero = false;
    for &c in run {
        if let Some(d) = chinese_digit(c) {
            if digit.is_some() {
                return None;
            }
            if d == 0 {
                after_zero = true;
            } else {
                digit = Some(d.into());
            }
            continue;
        }
        let unit = 10u128.pow(magnitude(c)?.unsigned_abs());
        match c {
            '十' | '百' | '千' => {
                if unit >= smallest_unit {
                    return None;
                }
                section = section.checked_add(digit.take().unwrap_or(1) * unit)?;
                smallest_unit = unit;
            }
            '万' => {
                section += digit.take().unwrap_or(0);
                if wan != 0 {
                    return None;
                }
                let lone = section == 0 && total == 0;
                wan = if lone { 1 } else { section }.checked_mul(unit)?;
                section = 0;
                smallest_unit = u128::MAX;
            }
            _ => {
                section += digit.take().unwrap_or(0);
                let group = wan + section;
                let group = if group == 0 && total == 0 { 1 } else { group };
                total = total.checked_add(group)?.checked_mul(unit)?;
                wan = 0;
                section = 0;
                smallest_unit = u128::MAX;
            }
        }
        last_unit = unit;
        after_zero = false;
    }
    if let Some(d) = digit {
        let place = if after_zero || last_unit < 100 {
            1
        } else {
            last_unit / 10
        };
        section += d * place;
    }
    total.checked_add(wan)?.checked_add(section)
}
