//! Query-string handling shared by every route: each parameter a route reads is declared as it
//! is read, and whatever is left over is an error, so a typo never returns unfiltered data.

use crate::db::read::{Filter, FilterKind, FilterValue};
use crate::error::{AppError, AppResult, ParamProblem};

/// Control characters other than tab and line breaks (which count as spaces) match nothing
/// that is stored and mean something to the layers below: SQLite ends FTS5 and `LIKE`
/// patterns at a NUL, so `q=%00` would otherwise fail or match everything.
fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

#[derive(Debug)]
pub struct Params {
    pairs: Vec<(String, String)>,
    accepted: Vec<&'static str>,
    problems: Vec<ParamProblem>,
}

impl Params {
    pub fn parse(raw: Option<&str>) -> AppResult<Self> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| AppError::BadRequest(format!("the query string is malformed: {e}")))?;
        Ok(Self {
            pairs,
            accepted: Vec::new(),
            problems: Vec::new(),
        })
    }

    /// Whether the request gives `name` at all, valid or not.
    pub fn given(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    pub fn problem(&mut self, param: &str, message: impl Into<String>) {
        self.problems.push(ParamProblem {
            param: param.to_owned(),
            message: message.into(),
        });
    }

    /// Declares `name` as accepted and returns its value; a repeated or empty value is a problem.
    pub fn take(&mut self, name: &'static str) -> Option<String> {
        self.accepted.push(name);
        let mut values = self
            .pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone());
        let first = values.next()?;
        if values.next().is_some() {
            self.problem(name, "is given more than once");
            return None;
        }
        if first.trim().is_empty() {
            self.problem(name, "must not be empty");
            return None;
        }
        if let Some(c) = first.chars().find(|&c| is_refused_control(c)) {
            self.problem(
                name,
                format!(
                    "contains the control character U+{:04X}; only text, spaces, tabs and line \
                     breaks are accepted",
                    c as u32
                ),
            );
            return None;
        }
        Some(first)
    }

    /// Declares `name` as accepted and returns every value it is given, in order, each also
    /// split at commas: for parameters that name several things (`by=region&by=indicator`).
    pub fn take_repeated(&mut self, name: &'static str) -> Vec<String> {
        self.accepted.push(name);
        let values: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(',').map(|p| p.trim().to_owned()))
            .collect();
        if values.iter().any(String::is_empty) {
            self.problem(name, "must not be empty");
            return Vec::new();
        }
        values
    }

    /// Declares `name` as accepted and returns every value it is given, repeated or separated
    /// by commas, in order and once each; an empty or control-laden value is a problem.
    pub fn take_many(&mut self, name: &'static str) -> Vec<String> {
        self.accepted.push(name);
        let given: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect();
        let mut out: Vec<String> = Vec::new();
        for raw in given {
            for part in raw.split(',') {
                let part = part.trim();
                if part.is_empty() {
                    self.problem(name, "must not be empty (nor hold an empty item in a list)");
                } else if let Some(c) = part.chars().find(|&c| is_refused_control(c)) {
                    self.problem(
                        name,
                        format!(
                            "contains the control character U+{:04X}; only text, spaces, tabs \
                             and line breaks are accepted",
                            c as u32
                        ),
                    );
                } else if !out.iter().any(|v| v == part) {
                    out.push(part.to_owned());
                }
            }
        }
        out
    }

    /// An enum, id or tag filter takes several values (any of which a row may match); the
    /// others take one.
    pub fn take_filter(&mut self, spec: &Filter) -> Option<FilterValue> {
        if let FilterKind::EnumList(allowed) = spec.kind {
            return self.take_list(spec, allowed);
        }
        if matches!(
            spec.kind,
            FilterKind::Enum(_) | FilterKind::Ref(_) | FilterKind::Tag
        ) {
            let raws = self.take_many(spec.param);
            let mut values: Vec<FilterValue> = raws
                .into_iter()
                .filter_map(|raw| self.check_filter(spec, raw))
                .collect();
            return match values.len() {
                0 => None,
                1 => values.pop(),
                _ => Some(FilterValue::Any(values)),
            };
        }
        let raw = self.take(spec.param)?;
        self.check_filter(spec, raw)
    }

    fn check_filter(&mut self, spec: &Filter, raw: String) -> Option<FilterValue> {
        let value = match spec.kind {
            FilterKind::Enum(allowed) if !allowed.contains(&raw.as_str()) => {
                self.problem(
                    spec.param,
                    format!("unknown value `{raw}`, expected {}", spec.kind.describe()),
                );
                return None;
            }
            FilterKind::Year => match raw.parse::<i64>() {
                Ok(y) if (1000..=9999).contains(&y) && raw.len() == 4 => {
                    FilterValue::Number(y as f64)
                }
                _ => {
                    self.problem(
                        spec.param,
                        format!("`{raw}` is not {}", spec.kind.describe()),
                    );
                    return None;
                }
            },
            FilterKind::Number => match raw.parse::<f64>() {
                Ok(n) if n.is_finite() => FilterValue::Number(n),
                _ => {
                    self.problem(
                        spec.param,
                        format!("`{raw}` is not {}", spec.kind.describe()),
                    );
                    return None;
                }
            },
            FilterKind::Period if crate::bundle::dates::period_years(&raw).is_none() => {
                self.problem(
                    spec.param,
                    format!("`{raw}` is not {}", spec.kind.describe()),
                );
                return None;
            }
            // An id filter also takes a name (`region=甘肃`), resolved against the data.
            FilterKind::Tag if !crate::bundle::validate::is_slug(&raw.replace('_', "-")) => {
                self.problem(
                    spec.param,
                    format!("`{raw}` is not {}", spec.kind.describe()),
                );
                return None;
            }
            _ => FilterValue::Text(raw),
        };
        Some(value)
    }

    /// Every value of a parameter that may be repeated or list values split by commas, as
    /// one JSON array; an empty item or one outside `allowed` is a problem.
    fn take_list(&mut self, spec: &Filter, allowed: &[&str]) -> Option<FilterValue> {
        self.accepted.push(spec.param);
        let raw: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| k == spec.param)
            .map(|(_, v)| v.clone())
            .collect();
        if raw.is_empty() {
            return None;
        }
        let mut values: Vec<String> = Vec::new();
        for item in raw.iter().flat_map(|v| v.split(',')).map(str::trim) {
            if item.is_empty() {
                self.problem(spec.param, "has an empty value in its list");
                return None;
            }
            if !allowed.contains(&item) {
                self.problem(
                    spec.param,
                    format!("unknown value `{item}`, expected {}", spec.kind.describe()),
                );
                return None;
            }
            if !values.iter().any(|v| v == item) {
                values.push(item.to_owned());
            }
        }
        Some(FilterValue::Text(serde_json::to_string(&values).ok()?))
    }

    /// Fails with every problem seen, including each parameter the route does not accept.
    pub fn finish(mut self) -> AppResult<()> {
        let mut unknown: Vec<String> = self
            .pairs
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| !self.accepted.contains(&k.as_str()))
            .collect();
        unknown.dedup();
        for name in unknown {
            let mut accepted = self.accepted.clone();
            accepted.sort_unstable();
            accepted.dedup();
            let message = if accepted.is_empty() {
                "unknown parameter; this route accepts no query parameters".to_owned()
            } else {
                format!(
                    "unknown parameter; this route accepts {}",
                    accepted.join(", ")
                )
            };
            self.problem(&name, message);
        }
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(AppError::InvalidParams(self.problems))
        }
    }
}
