//! Items are written by SQLite in the statement that picks them; what it writes must be what
//! serde writes: a float needing all seventeen digits, whole numbers without a fraction, tiny
//! and huge numbers, and text with quotes, backslashes, control characters and non-ASCII, in
//! JSON and in CSV.

use crate::helpers::spawn_app;

/// A fact's number as the API has always written it: serde's, whole numbers as integers.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        (v as i64).to_string()
    } else {
        serde_json::to_string(&v).unwrap()
    }
}

fn string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[tokio::test]
async fn sqlite_writes_items_as_serde_does() {
    let app = spawn_app().await;
    let (source, indicator, region, unit): (String, String, String, String) = sqlx::query_as(
        "SELECT source_id, indicator, region_id, unit FROM metrics ORDER BY id LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (name_zh, name_en): (String, String) =
        sqlx::query_as("SELECT name_zh, name_en FROM regions WHERE id = ?")
            .bind(&region)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let (indicator_zh, indicator_en): (String, String) =
        sqlx::query_as("SELECT name_zh, name_en FROM indicators WHERE id = ?")
            .bind(&indicator)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let text = "引号\"反斜杠\\ 换行\n回车\r 制表\t 响铃\u{7} 删除\u{7f} 分隔\u{2028} é, \"逗号\"";
    let values = [
        0.1 + 0.2,
        331_500_000_000.0,
        12.5,
        1e-7,
        9.5e15,
        -3.25,
        1.0 / 3.0,
        2.0f64.powi(60),
    ];
    let mut expected = Vec::new();
    for (i, &value) in values.iter().enumerate() {
        let id = format!("zz-rendering-{i}");
        let value_max = (i % 2 == 0).then_some(value * 7.0);
        sqlx::query(
            "INSERT INTO metrics (id, source_id, position, indicator, subject_type, subject_id,
               region_id, value, value_max, unit, qualifier, kind, period, period_from, period_to,
               original, quote, quote_start)
             VALUES (?, ?, ?, ?, 'region', ?, ?, ?, ?, ?, 'exact', 'actual', NULL, NULL, NULL, ?, ?, 0)",
        )
        .bind(&id)
        .bind(&source)
        .bind(10_000 + i as i64)
        .bind(&indicator)
        .bind(&region)
        .bind(&region)
        .bind(value)
        .bind(value_max)
        .bind(&unit)
        .bind(text)
        .bind(text)
        .execute(&app.pool)
        .await
        .unwrap();
        let json = format!(
            "{{\"id\":{},\"indicator\":{},\"indicator_name_zh\":{},\"indicator_name_en\":{},\
             \"subject\":{{\"type\":\"region\",\"id\":{},\"name_zh\":{},\
             \"name_en\":{}}},\"region_id\":{},\"region_name_zh\":{},\"region_name_en\":{},\
             \"value\":{},\"value_max\":{},\"unit\":{},\
             \"qualifier\":\"exact\",\"kind\":\"actual\",\"period\":null,\"original\":{},\"quote\":{},\
             \"quote_start\":0,\"source_id\":{}}}",
            string(&id),
            string(&indicator),
            string(&indicator_zh),
            string(&indicator_en),
            string(&region),
            string(&name_zh),
            string(&name_en),
            string(&region),
            string(&name_zh),
            string(&name_en),
            number(value),
            value_max.map_or("null".into(), number),
            string(&unit),
            string(text),
            string(text),
            string(&source),
        );
        let mut csv = csv::Writer::from_writer(Vec::new());
        let max = value_max.map(number).unwrap_or_default();
        let cells = [
            id.as_str(),
            &indicator,
            &indicator_zh,
            &indicator_en,
            "region",
            &region,
            &name_zh,
            &name_en,
            &region,
            &name_zh,
            &name_en,
            &number(value),
            &max,
            &unit,
            "exact",
            "actual",
            "",
            text,
            text,
            "0",
            &source,
        ];
        csv.write_record(cells).unwrap();
        expected.push((id, json, csv.into_inner().unwrap()));
    }

    for (id, json, _) in &expected {
        let item = app.get(&format!("/v1/metrics/{id}")).await;
        assert_eq!(item.status, 200);
        assert_eq!(item.text(), format!("{{\"data\":{json}}}"));
    }
    let page = app.get("/v1/metrics?sort=id&limit=1000").await;
    let body = page.text();
    let all: Vec<&str> = expected.iter().map(|(_, j, _)| j.as_str()).collect();
    assert!(body.contains(&all.join(",")), "{body}");
    let csv = app.get("/v1/metrics?sort=id&limit=1000&format=csv").await;
    let lines: Vec<u8> = expected.iter().flat_map(|(_, _, c)| c.clone()).collect();
    assert!(
        csv.body.windows(lines.len()).any(|w| w == lines.as_slice()),
        "{}",
        csv.text()
    );
}
