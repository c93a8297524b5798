//! An article: sentences stating metrics, joined into paragraphs with a little prose between
//! them, and the bundle that carries it. Offsets are counted while the text is written, so
//! `quote_start` costs nothing even for articles with thousands of numbers.

use std::collections::HashMap;

use super::draw::Drawn;
use super::names::Industry;
use industry_facts::bundle::dates::period_years;
use industry_facts::bundle::model::{Bundle, Metric, Source, Subject};
use industry_facts::bundle::validate::ResolvedMetric;

/// Sentences without numbers, as articles have between their figures. None contains `年，`
/// or an opening of a metric sentence, which keeps every quote's first occurrence its own.
const PROSE: &[&str] = &[
    "当地持续推进产业转型升级。",
    "一批重点企业加快技术改造步伐。",
    "创新平台建设取得新进展。",
    "产业链上下游协同发展的格局逐步形成。",
    "营商环境不断优化，市场主体活力持续释放。",
    "科技成果转化效率明显提升。",
];

pub struct Article {
    id: String,
    text: String,
    chars: usize,
    metrics: Vec<Metric>,
    resolved: Vec<ResolvedMetric>,
    /// Where each sentence already written starts, so a repeated statement quotes the first.
    placed: HashMap<String, usize>,
}

impl Article {
    pub fn new(id: String) -> Self {
        Self {
            id,
            text: String::new(),
            chars: 0,
            metrics: Vec::new(),
            resolved: Vec::new(),
            placed: HashMap::new(),
        }
    }

    fn write(&mut self, s: &str) {
        self.text.push_str(s);
        self.chars += s.chars().count();
    }

    /// Every few sentences a paragraph ends, sometimes after a sentence of plain prose.
    pub fn prose(&mut self, pick: usize) {
        if pick % 3 == 0 {
            self.write(PROSE[pick / 3 % PROSE.len()]);
        }
        self.write("\n");
    }

    pub fn push(&mut self, d: Drawn<'_>) {
        let quote_start = match self.placed.get(&d.sentence) {
            Some(&start) => start,
            None => {
                let start = self.chars;
                self.placed.insert(d.sentence.clone(), start);
                self.write(&d.sentence);
                start
            }
        };
        let position = self.metrics.len() + 1;
        let years = d.period.as_deref().and_then(period_years);
        let metric = Metric {
            indicator: d.indicator.to_owned(),
            subject: Subject {
                type_: d.subject.type_.to_owned(),
                id: d.subject.id.clone(),
            },
            region_id: None,
            value: d.quantity.value,
            value_max: d.quantity.value_max,
            unit: d.quantity.unit.code().to_owned(),
            qualifier: d.quantity.qualifier.as_str().to_owned(),
            kind: d.kind.to_owned(),
            period: d.period,
            original: d.original,
            quote: d.sentence,
        };
        self.resolved.push(ResolvedMetric {
            id: format!("{}-m{position:03}", self.id),
            position: position as i64,
            region_id: d.subject.region_id.clone(),
            quote_start: quote_start as i64,
            period_from: years.map(|(a, _)| i64::from(a)),
            period_to: years.map(|(_, b)| i64::from(b)),
            metric: metric.clone(),
        });
        self.metrics.push(metric);
    }

    /// The bundle of this article, and the metrics as the validator would resolve them.
    pub fn finish(
        self,
        title_place: &str,
        industry: Industry,
        publication: &str,
        published: String,
        authors: Vec<String>,
    ) -> (Bundle, Vec<ResolvedMetric>) {
        let bundle = Bundle {
            source: Source {
                title: format!("{title_place}{}产业发展观察", industry.zh),
                id: self.id,
                publication: publication.to_owned(),
                published: Some(published),
                authors,
                url: None,
                text: self.text,
            },
            regions: vec![],
            enterprises: vec![],
            projects: vec![],
            policies: vec![],
            indicators: vec![],
            metrics: self.metrics,
            omissions: vec![],
            positions: Default::default(),
        };
        (bundle, self.resolved)
    }
}
