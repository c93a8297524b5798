//! The full-text index against a reference computed from the seed bundles themselves: a
//! Chinese query finds exactly the rows whose text contains it, an English one the rows with
//! a word starting with it; the index follows every write and any text is safe to search.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::Value;

use industry_facts::db;
use industry_facts::fts::stem;

use crate::bundles::minimal;
use crate::helpers::{TOKEN, TestApp, assert_problem, seed, spawn_app, spawn_writable_app};
use crate::search::keys;

/// The fields each collection's search looks at, as the bundles spell them.
const FIELDS: [(&str, &str, &[&str]); 5] = [
    (
        "regions",
        "region",
        &["id", "name_zh", "name_en", "admin_code", "aliases"],
    ),
    (
        "enterprises",
        "enterprise",
        &["id", "name_zh", "name_en", "aliases", "industries"],
    ),
    (
        "projects",
        "project",
        &["id", "name_zh", "name_en", "description"],
    ),
    (
        "policies",
        "policy",
        &["id", "title_zh", "title_en", "summary"],
    ),
    (
        "indicators",
        "indicator",
        &["id", "name_zh", "name_en", "description"],
    ),
];

fn text_of(v: &Value, fields: &[&str]) -> String {
    let mut out = Vec::new();
    for f in fields {
        match &v[*f] {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => {
                out.extend(items.iter().filter_map(|i| i.as_str()).map(String::from))
            }
            _ => {}
        }
    }
    out.join(" ")
}

/// `q=…` percent-encoded, for queries with spaces and commas.
pub fn qs(q: &str) -> String {
    serde_urlencoded::to_string([("q", q)]).unwrap()
}

/// Whether a hit is a metric of `region` or a region below it: found because the query names
/// the place, not by its own text.
pub fn of_named_place(hit: &Value, region: &str) -> bool {
    let below = seed().subtree(region);
    hit["type"] == "metric"
        && seed()
            .metrics()
            .iter()
            .any(|m| hit["id"] == m.id.as_str() && below.contains(&m.region_id))
}

/// The parts of a query: separated by white space, `,`, `，` or `、`, after NFKC.
fn parts(q: &str) -> Vec<String> {
    nfkc(q)
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、'))
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

fn nfkc(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc().collect()
}

/// Every part occurs: Chinese as a substring; English as the start of a word, ignoring case,
/// singular and plural alike (the part's stem starts the word or the word's stem).
fn found_in(text: &str, q: &str) -> bool {
    let text = nfkc(text);
    parts(q).iter().all(|part| {
        if part.is_ascii() {
            let want = stem(part);
            text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
                let w = w.to_ascii_lowercase();
                w.starts_with(&want) || stem(&w).starts_with(&want)
            })
        } else {
            text.contains(part.as_str())
        }
    })
}

/// What `/v1/search?q=` must return, worked out from the bundles: what [`matched`] finds, and
/// when the whole query is a region's name or alias, the metrics of that region and below.
fn expected(q: &str) -> BTreeSet<(String, String)> {
    let s = seed();
    let mut out = matched(q);
    let q = nfkc(q).trim().to_lowercase();
    for (id, r) in s.entities("regions") {
        let mut names = vec![r["name_zh"].as_str(), r["name_en"].as_str()];
        names.extend(
            r["aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| a.as_str()),
        );
        if names.into_iter().flatten().any(|n| n.to_lowercase() == q) {
            let below = s.subtree(&id);
            for m in s.metrics() {
                if below.contains(&m.region_id) {
                    out.insert(("metric".into(), m.id));
                }
            }
        }
    }
    out
}

/// The rows whose own text contains the query, and the metrics of matching indicators.
fn matched(q: &str) -> BTreeSet<(String, String)> {
    let s = seed();
    let mut out = BTreeSet::new();
    for (collection, kind, fields) in FIELDS {
        for (id, v) in s.entities(collection) {
            if found_in(&text_of(v, fields), q) {
                out.insert((kind.to_owned(), id));
            }
        }
    }
    for b in &s.bundles {
        if found_in(
            &text_of(&b["source"], &["id", "title", "authors", "text"]),
            q,
        ) {
            out.insert(("source".into(), b["source"]["id"].as_str().unwrap().into()));
        }
    }
    for m in s.metrics() {
        if found_in(m.raw["quote"].as_str().unwrap(), q)
            || out.contains(&(
                "indicator".into(),
                m.raw["indicator"].as_str().unwrap().into(),
            ))
        {
            out.insert(("metric".into(), m.id));
        }
    }
    out
}

const QUERIES: [&str; 19] = [
    "金 昌",
    "金昌 镍",
    "镍 钴",
    "稀土,包头",
    "稀土，包头",
    "Ｊｉｎｃｈａｎｇ",
    "patents",
    "金昌",
    "镍钴",
    "稀土",
    "卫星互联网",
    "绣花机",
    "产业园",
    "Jinchang",
    "nickel",
    "patent",
    "embroidery",
    "RARE",
    "Chongq",
];

#[tokio::test]
async fn search_finds_exactly_what_the_bundles_contain() {
    let app = spawn_app().await;
    for q in QUERIES {
        let want = expected(q);
        assert!(!want.is_empty(), "{q} is in the seed");
        let hits = app.list_all(&format!("/v1/search?{}", qs(q))).await;
        assert_eq!(keys(&hits).len(), hits.len(), "q={q}: a hit twice");
        let got = keys(&hits);
        assert_eq!(
            got.difference(&want).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "q={q}: found what does not contain it"
        );
        assert_eq!(
            want.difference(&got).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "q={q}: missed"
        );
    }
}

#[tokio::test]
async fn each_collection_q_finds_its_share() {
    let app = spawn_app().await;
    for q in QUERIES {
        let want = matched(q);
        for (collection, kind, _) in FIELDS {
            let ids = app.ids(&format!("/v1/{collection}?{}", qs(q))).await;
            let wanted: BTreeSet<String> = want
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, id)| id.clone())
                .collect();
            assert_eq!(ids, wanted, "/v1/{collection}?q={q}");
        }
        let sources = app.ids(&format!("/v1/sources?{}", qs(q))).await;
        let wanted: BTreeSet<String> = want
            .iter()
            .filter(|(k, _)| k == "source")
            .map(|(_, id)| id.clone())
            .collect();
        assert_eq!(sources, wanted, "/v1/sources?q={q}");
        // A metric also matches through its subject's names.
        let metrics = app.ids(&format!("/v1/metrics?{}", qs(q))).await;
        let wanted: BTreeSet<String> = seed()
            .metrics()
            .into_iter()
            .filter(|m| {
                let subject = &m.raw["subject"];
                want.contains(&("metric".into(), m.id.clone()))
                    || want.contains(&(
                        subject["type"].as_str().unwrap().into(),
                        subject["id"].as_str().unwrap().into(),
                    ))
            })
            .map(|m| m.id)
            .collect();
        assert_eq!(metrics, wanted, "/v1/metrics?q={q}");
    }
}

#[tokio::test]
async fn an_exact_name_ranks_first() {
    let app = spawn_app().await;
    for (q, kind, id) in [
        ("金昌", "region", "jinchang"),
        ("jinchang", "region", "jinchang"),
        ("金川集团", "enterprise", "jinchuan-group"),
        ("Chongqing", "region", "chongqing"),
        ("诸暨", "region", "zhuji"),
    ] {
        let page = app.get_ok(&format!("/v1/search?q={q}&limit=5")).await;
        let first = &page["data"][0];
        assert_eq!(
            (first["type"].as_str(), first["id"].as_str()),
            (Some(kind), Some(id)),
            "q={q}: {page}"
        );
    }
    // Below the exact names come names containing the term, then everything else.
    let mut later = 0;
    for q in ["金昌", "镍钴", "稀土", "nickel"] {
        let hits = app.list_all(&format!("/v1/search?q={q}")).await;
        let tier = |h: &Value| {
            let names = [
                h["name_zh"].as_str().unwrap(),
                h["name_en"].as_str().unwrap(),
            ];
            let lower = q.to_lowercase();
            usize::from(!names.iter().any(|n| n.to_lowercase().contains(&lower)))
        };
        let tiers: Vec<usize> = hits.iter().map(tier).collect();
        assert!(tiers.windows(2).all(|w| w[0] <= w[1]), "q={q}: {tiers:?}");
        later += tiers.iter().sum::<usize>();
    }
    assert!(later > 0, "some hits match in their text only");
}

#[tokio::test]
async fn hits_show_where_the_term_is() {
    let app = spawn_app().await;
    for q in ["金昌", "镍钴", "卫星互联网", "绣花机"] {
        for h in app.list_all(&format!("/v1/search?q={q}")).await {
            if q == "金昌" && of_named_place(&h, "jinchang") {
                continue;
            }
            assert!(h["snippet"].as_str().unwrap().contains(q), "q={q}: {h}");
        }
    }
}

#[tokio::test]
async fn any_text_is_searched_as_text() {
    let app = spawn_app().await;
    for q in [
        "\"",
        "\"*():",
        "*",
        "(",
        "NEAR(金昌",
        "金昌 OR 镍钴",
        "AND",
        "^nickel",
        "nickel:",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "金",
        "a\"b",
        "col:金昌",
        "--",
        "；",
        "{}",
    ] {
        let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
        for route in ["/v1/search", "/v1/metrics", "/v1/regions", "/v1/sources"] {
            let r = app.get(&format!("{route}?q={encoded}")).await;
            assert_eq!(r.status, 200, "{route}?q={q}: {}", r.text());
        }
    }
    // Words joined by OR are both required, not a disjunction.
    assert_eq!(app.total("/v1/search?q=金昌%20OR%20镍钴").await, 0);
    // A single character is scanned for, not refused.
    let hits = app.list_all("/v1/search?q=昌").await;
    assert!(keys(&hits).contains(&("region".into(), "jinchang".into())));
    assert!(
        hits.iter()
            .all(|h| h["snippet"].as_str().unwrap().contains('昌'))
    );
}

#[tokio::test]
async fn a_blank_q_is_a_400_everywhere() {
    let app = spawn_app().await;
    for route in [
        "/v1/search",
        "/v1/metrics",
        "/v1/regions",
        "/v1/enterprises",
        "/v1/sources",
    ] {
        assert_problem(&app.get(&format!("{route}?q=")).await, 400, Some("q"));
        assert_problem(&app.get(&format!("{route}?q=%20%20")).await, 400, Some("q"));
    }
}

async fn send(app: &TestApp, method: Method, path: &str, body: Option<&Value>) -> u16 {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {TOKEN}"));
    let body = body.map(|b| Body::from(b.to_string())).unwrap_or_default();
    app.send(request.body(body).unwrap()).await.status.as_u16()
}

#[tokio::test]
async fn the_index_follows_every_write() {
    let app = spawn_writable_app(1 << 20).await;
    let search = |q: &'static str| {
        let app = &app;
        async move { keys(&app.list_all(&format!("/v1/search?q={q}")).await) }
    };
    assert!(search("器件公司").await.is_empty());
    assert_eq!(
        send(&app, Method::POST, "/v1/bundles", Some(&minimal())).await,
        201
    );
    let hits = search("器件公司").await;
    for key in [("enterprise", "test-widget-co"), ("source", "test-minimal")] {
        assert!(hits.contains(&(key.0.into(), key.1.into())), "{hits:?}");
    }
    assert!(
        search("Widgets")
            .await
            .contains(&("metric".into(), "test-minimal-m002".into()))
    );

    // Replacing the bundle drops the old quote's words and indexes the new ones; the new
    // alias changes a stored entity, which the write has to ask for.
    let mut changed = minimal();
    let text = changed["source"]["text"]
        .as_str()
        .unwrap()
        .replace("生产器件", "制造器件");
    changed["source"]["text"] = text.into();
    changed["metrics"][1]["quote"] = "制造器件超过3万件".into();
    changed["enterprises"][0]["aliases"] = serde_json::json!(["小器件厂"]);
    assert_eq!(
        send(
            &app,
            Method::PUT,
            "/v1/bundles/test-minimal?entities=update",
            Some(&changed)
        )
        .await,
        200
    );
    assert!(search("生产器件").await.is_empty());
    assert!(
        search("制造器件")
            .await
            .contains(&("metric".into(), "test-minimal-m002".into()))
    );
    assert!(
        search("小器件厂")
            .await
            .contains(&("enterprise".into(), "test-widget-co".into()))
    );

    // Deleting the source takes its text and metrics out; the entities stay findable.
    assert_eq!(
        send(&app, Method::DELETE, "/v1/sources/test-minimal", None).await,
        204
    );
    let hits = search("器件").await;
    assert!(
        hits.iter().all(|(k, _)| k != "metric" && k != "source"),
        "{hits:?}"
    );
    assert!(hits.contains(&("enterprise".into(), "test-widget-co".into())));
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM search_docs d WHERE d.kind = 'metric' AND NOT EXISTS (SELECT 1 FROM metrics m WHERE m.id = d.ref_id)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0);
}

#[tokio::test]
async fn a_stale_index_is_rebuilt_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.db");
    let path = path.to_str().unwrap();
    let pool = db::connect(path).await.unwrap();
    db::seed::load(&pool).await.unwrap();
    let before = keys(
        &TestApp::new(pool.clone())
            .list_all("/v1/search?q=稀土")
            .await,
    );
    assert!(!before.is_empty());
    // As a database built by an older segmentation would look.
    sqlx::query("DELETE FROM search_docs")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE settings SET value = 'older' WHERE key = 'search_index'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        TestApp::new(pool.clone()).total("/v1/search?q=稀土").await,
        0
    );
    pool.close().await;

    let pool = db::connect(path).await.unwrap();
    let after = keys(&TestApp::new(pool).list_all("/v1/search?q=稀土").await);
    assert_eq!(after, before);
}
