//! Nothing changes stored data without meaning to: a bundle that would change a shared entity
//! is refused unless it says `entities=update`, every entity records the source that wrote
//! it, the shipped seed can be restored, a key repeated in a JSON object and a control
//! character in a string are refused with pointers, and write routes refuse query parameters
//! they do not take.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};

use industry_facts::db;
use industry_facts::ingest::{OnChangedEntity, OnExisting, WriteMode, ingest};

use crate::bundles::minimal;
use crate::helpers::{
    TOKEN, TestApp, TestResponse, assert_problem, seed, seed_bundle, seed_files,
    spawn_writable_app, table_counts,
};
use crate::process::{command, run, stderr};

const LIMIT: usize = 1024 * 1024;
const JINCHANG: &str = "01-jinchang.json";

async fn send(app: &TestApp, method: Method, uri: &str, body: impl Into<String>) -> TestResponse {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(Body::from(body.into()))
        .unwrap();
    app.send(request).await
}

/// Index of the entity `id` in `collection` of a bundle.
fn position(bundle: &Value, collection: &str, id: &str) -> usize {
    bundle[collection]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in {collection}"))
}

/// The first seed bundle saying anything, as a new source, so it is not refused as stored.
fn seed_copy(file: &str, source_id: &str) -> Value {
    let mut b = seed_bundle(file);
    b["source"]["id"] = json!(source_id);
    b
}

/// A province of the seed other than `not`, so a rogue parent is a real region.
fn another_province(not: &str) -> String {
    seed()
        .ids_where("regions", |r| r["level"] == "province")
        .into_iter()
        .find(|id| id != not)
        .expect("the seed has two provinces")
}

/// The errors of an entity conflict as (pointer, stored, proposed).
fn changes(body: &Value) -> Vec<(String, Value, Value)> {
    assert_eq!(body["code"], "entity-conflict", "{body}");
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            (
                e["pointer"].as_str().unwrap().to_owned(),
                e["stored"].clone(),
                e["proposed"].clone(),
            )
        })
        .collect()
}

fn sorted(v: &Value) -> Value {
    let mut items: Vec<Value> = v.as_array().unwrap().clone();
    items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    Value::Array(items)
}

#[tokio::test]
async fn a_bundle_that_moves_a_region_is_refused_naming_that_field() {
    let app = spawn_writable_app(LIMIT).await;
    let before = table_counts(&app.pool).await;
    let gansu_before = app.ids("/v1/regions?region=gansu").await;
    assert!(gansu_before.contains("jinchang"));

    let mut rogue = seed_copy(JINCHANG, "rogue-article");
    let i = position(&rogue, "regions", "jinchang");
    let stored_parent = rogue["regions"][i]["parent_id"].clone();
    let elsewhere = another_province(stored_parent.as_str().unwrap());
    rogue["regions"][i]["parent_id"] = json!(elsewhere);

    let r = send(&app, Method::POST, "/v1/bundles", rogue.to_string()).await;
    let body = assert_problem(&r, 409, None);
    assert_eq!(
        changes(&body),
        [(
            format!("/regions/{i}/parent_id"),
            stored_parent,
            json!(elsewhere)
        )]
    );
    // PUT of a new source id is refused the same way.
    let r = send(
        &app,
        Method::PUT,
        "/v1/bundles/rogue-article",
        rogue.to_string(),
    )
    .await;
    assert_eq!(changes(&assert_problem(&r, 409, None)).len(), 1);
    assert_eq!(table_counts(&app.pool).await, before, "nothing was stored");
    assert_eq!(app.ids("/v1/regions?region=gansu").await, gansu_before);
}

/// Every kind of entity and every kind of field is compared: text, references, and lists,
/// where aliases and industries are sets and a project's enterprises a sequence.
#[tokio::test]
async fn each_changed_field_is_listed_with_its_stored_and_proposed_value() {
    let app = spawn_writable_app(LIMIT).await;
    let seed01 = seed_bundle(JINCHANG);
    let mut b = seed_copy(JINCHANG, "changes-everything");
    let mut expected = Vec::new();

    let r = position(&b, "regions", "jinchang");
    let mut aliases = b["regions"][r]["aliases"].as_array().unwrap().clone();
    aliases.push(json!("金昌新别名"));
    b["regions"][r]["aliases"] = json!(aliases);
    expected.push((
        format!("/regions/{r}/aliases"),
        sorted(&seed01["regions"][r]["aliases"]),
        sorted(&json!(aliases)),
    ));

    let e = position(&b, "enterprises", "jinchuan-group");
    b["enterprises"][e]["industries"] = json!([]);
    expected.push((
        format!("/enterprises/{e}/industries"),
        sorted(&seed01["enterprises"][e]["industries"]),
        json!([]),
    ));
    b["enterprises"][e]["name_en"] = json!("Another Name");
    expected.push((
        format!("/enterprises/{e}/name_en"),
        seed01["enterprises"][e]["name_en"].clone(),
        json!("Another Name"),
    ));

    let p = (seed01["projects"].as_array().unwrap().iter())
        .position(|p| !p["enterprise_ids"].as_array().unwrap().is_empty())
        .expect("a seed project names an enterprise");
    b["projects"][p]["enterprise_ids"] = json!([]);
    expected.push((
        format!("/projects/{p}/enterprise_ids"),
        seed01["projects"][p]["enterprise_ids"].clone(),
        json!([]),
    ));

    b["policies"][0]["summary"] = Value::Null;
    expected.push((
        "/policies/0/summary".into(),
        seed01["policies"][0]["summary"].clone(),
        Value::Null,
    ));

    let last = b["indicators"].as_array().unwrap().len() - 1;
    b["indicators"][last]["name_zh"] = json!("另一个名字");
    expected.push((
        format!("/indicators/{last}/name_zh"),
        seed01["indicators"][last]["name_zh"].clone(),
        json!("另一个名字"),
    ));

    let r = send(&app, Method::POST, "/v1/bundles", b.to_string()).await;
    let mut got = changes(&assert_problem(&r, 409, None));
    got.sort_by(|a, b| a.0.cmp(&b.0));
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, expected);
}

#[tokio::test]
async fn an_identical_redefinition_is_stored_and_counted_as_unchanged() {
    let app = spawn_writable_app(LIMIT).await;
    let mut b = seed_copy(JINCHANG, "same-entities");
    // Aliases are a set: another order is the same definition.
    let china = position(&b, "regions", "china");
    let aliases = b["regions"][china]["aliases"].as_array_mut().unwrap();
    assert!(aliases.len() > 1, "china has several aliases in the seed");
    aliases.reverse();
    let entities: usize = [
        "regions",
        "enterprises",
        "projects",
        "policies",
        "indicators",
    ]
    .iter()
    .map(|c| b[c].as_array().unwrap().len())
    .sum();

    let r = send(&app, Method::POST, "/v1/bundles", b.to_string()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let s = &r.json()["data"];
    assert_eq!(s["entities_added"], 0, "{s}");
    assert_eq!(s["entities_updated"], 0, "{s}");
    assert_eq!(s["entities_unchanged"], entities, "{s}");
}

/// The source that first stored each seed entity, from the seed files in load order.
fn seed_definers(collection: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for b in &seed().bundles {
        for e in b[collection].as_array().into_iter().flatten() {
            let id = e["id"].as_str().unwrap();
            if !out.iter().any(|(x, _)| x == id) {
                out.push((
                    id.to_owned(),
                    b["source"]["id"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn each_entity_names_the_source_that_defined_it_and_keeps_it_through_a_replace() {
    let app = spawn_writable_app(LIMIT).await;
    let collections = [
        "regions",
        "enterprises",
        "projects",
        "policies",
        "indicators",
    ];
    for collection in collections {
        for (id, source) in seed_definers(collection) {
            let item = app.get_ok(&format!("/v1/{collection}/{id}")).await;
            assert_eq!(item["data"]["defined_by"], source, "{collection}/{id}");
        }
    }
    // Replacing the first seed source drops and re-inserts it; its entities stay its own.
    let first = seed_bundle(JINCHANG);
    let source_id = first["source"]["id"].as_str().unwrap().to_owned();
    let r = send(
        &app,
        Method::PUT,
        &format!("/v1/bundles/{source_id}"),
        first.to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    for (id, source) in seed_definers("regions") {
        let item = app.get_ok(&format!("/v1/regions/{id}")).await;
        assert_eq!(item["data"]["defined_by"], source, "regions/{id}");
    }
}

/// The whole story: a change with the opt-in is stored and attributed; deleting its source
/// leaves the entity as it is; a restart does not undo it; restoring the seed does.
#[tokio::test]
async fn an_opted_in_change_stays_until_the_seed_is_restored() {
    let app = spawn_writable_app(LIMIT).await;
    let gansu = seed().subtree("gansu");
    assert_eq!(app.ids("/v1/regions?region=gansu").await, gansu);

    let mut rogue = seed_copy(JINCHANG, "rogue-article");
    let i = position(&rogue, "regions", "jinchang");
    let elsewhere = another_province("gansu");
    rogue["regions"][i]["parent_id"] = json!(elsewhere);
    let r = send(
        &app,
        Method::POST,
        "/v1/bundles?entities=update",
        rogue.to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["data"]["entities_updated"], 1, "{}", r.text());
    let jinchang = app.get_ok("/v1/regions/jinchang").await;
    assert_eq!(jinchang["data"]["parent_id"], elsewhere.as_str());
    assert_eq!(jinchang["data"]["defined_by"], "rogue-article");
    let moved = app.ids("/v1/regions?region=gansu").await;
    assert!(!moved.contains("jinchang"), "{moved:?}");

    let r = send(&app, Method::DELETE, "/v1/sources/rogue-article", "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let jinchang = app.get_ok("/v1/regions/jinchang").await;
    assert_eq!(jinchang["data"]["parent_id"], elsewhere.as_str(), "stays");
    assert_eq!(jinchang["data"]["defined_by"], Value::Null);

    let report = db::seed::load(&app.pool).await.unwrap();
    assert!(report.loaded.is_empty(), "a restart loads nothing again");
    assert!(
        !app.ids("/v1/regions?region=gansu")
            .await
            .contains("jinchang")
    );

    let restore = WriteMode {
        on_existing: OnExisting::Replace,
        on_changed_entity: OnChangedEntity::Update,
    };
    for (name, result) in db::seed::import(&app.pool, restore).await {
        result.unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    assert_eq!(app.ids("/v1/regions?region=gansu").await, gansu);
    let jinchang = app.get_ok("/v1/regions/jinchang").await;
    assert_eq!(
        jinchang["data"]["defined_by"],
        seed_bundle(JINCHANG)["source"]["id"]
    );
}

/// What the README documents, through the real binary on a file: `import` refuses to undo
/// the change without `--entities update`, and `import --seed --replace --entities update`
/// (or the seed files) brings Gansu back.
#[tokio::test]
async fn the_documented_import_restores_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.db");
    let path_str = path.to_str().unwrap().to_owned();
    let gansu = seed().subtree("gansu");
    let mut rogue = seed_copy(JINCHANG, "rogue-article");
    let i = position(&rogue, "regions", "jinchang");
    rogue["regions"][i]["parent_id"] = json!(another_province("gansu"));
    let update = WriteMode {
        on_existing: OnExisting::Refuse,
        on_changed_entity: OnChangedEntity::Update,
    };
    let region_gansu = |path: String| async move {
        let pool = db::connect(&path).await.unwrap();
        let ids = TestApp::new(pool.clone())
            .ids("/v1/regions?region=gansu")
            .await;
        pool.close().await;
        ids
    };

    for restore in [
        vec!["--seed".to_owned()],
        seed_files()
            .iter()
            .map(|p| p.to_str().unwrap().to_owned())
            .collect::<Vec<_>>(),
    ] {
        let pool = db::connect(&path_str).await.unwrap();
        db::seed::load(&pool).await.unwrap();
        ingest(&pool, &rogue, update).await.unwrap();
        pool.close().await;
        assert!(!region_gansu(path_str.clone()).await.contains("jinchang"));

        let mut c = command(dir.path());
        c.args(["import", "--db", &path_str, "--replace"])
            .args(&restore);
        let refused = run(c);
        assert!(!refused.status.success(), "{restore:?}");
        let err = stderr(&refused);
        assert!(err.contains(&format!("/regions/{i}/parent_id")), "{err}");
        assert!(err.contains("--entities update"), "{err}");
        assert!(!region_gansu(path_str.clone()).await.contains("jinchang"));

        let mut c = command(dir.path());
        c.args([
            "import",
            "--db",
            &path_str,
            "--replace",
            "--entities",
            "update",
        ])
        .args(&restore);
        let restored = run(c);
        assert!(restored.status.success(), "{}", stderr(&restored));
        assert_eq!(region_gansu(path_str.clone()).await, gansu, "{restore:?}");

        let pool = db::connect(&path_str).await.unwrap();
        sqlx::query("DELETE FROM sources WHERE id = 'rogue-article'")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
}

/// `{"a": 1, "a": 2}` is not two answers to pick from: every repeated key is named, over
/// HTTP and in `check` and `import`, and nothing is stored.
#[tokio::test]
async fn a_key_repeated_in_an_object_is_refused_with_its_pointer() {
    let app = spawn_writable_app(LIMIT).await;
    let before = table_counts(&app.pool).await;
    let text = minimal().to_string();
    let name = json!(minimal()["regions"][0]["name_zh"]).to_string();
    assert_eq!(text.matches(&format!("\"name_zh\":{name}")).count(), 1);
    let mut doubled = text.replacen(
        &format!("\"name_zh\":{name}"),
        &format!("\"name_zh\":{name},\"name_zh\":\"另一个园区\""),
        1,
    );
    // A second `source` at the end, and a third for good measure.
    let source = minimal()["source"].to_string();
    doubled.truncate(doubled.len() - 1);
    doubled.push_str(&format!(",\"source\":{source},\"source\":{source}}}"));

    for (method, uri) in [
        (Method::POST, "/v1/bundles"),
        (Method::PUT, "/v1/bundles/test-minimal"),
    ] {
        let r = send(&app, method, uri, doubled.clone()).await;
        let body = assert_problem(&r, 422, None);
        let pointers: BTreeSet<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["pointer"].as_str().unwrap())
            .collect();
        assert_eq!(
            pointers,
            BTreeSet::from(["/regions/0/name_zh", "/source"]),
            "{body}"
        );
    }
    assert_eq!(table_counts(&app.pool).await, before);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doubled.json");
    std::fs::write(&file, &doubled).unwrap();
    for subcommand in ["check", "import"] {
        let mut c = command(dir.path());
        c.arg(subcommand);
        if subcommand == "import" {
            c.args(["--db", dir.path().join("x.db").to_str().unwrap()]);
        }
        c.arg(&file);
        let out = run(c);
        assert!(!out.status.success(), "{subcommand}");
        let err = stderr(&out);
        for pointer in ["/regions/0/name_zh", "/source"] {
            assert!(
                err.contains(&format!(": {pointer}: ")),
                "{subcommand}: {err}"
            );
        }
    }
}

/// NUL and the other control characters would cut CSV cells and search terms short; tab,
/// line feed and carriage return are ordinary text.
#[tokio::test]
async fn control_characters_are_refused_in_every_string() {
    let app = spawn_writable_app(LIMIT).await;
    let before = table_counts(&app.pool).await;
    let mut b = minimal();
    b["source"]["title"] = json!("标题\u{0}");
    b["source"]["authors"] = json!(["记者\u{7}"]);
    b["regions"][0]["aliases"] = json!(["测试园", "园\u{1b}[31m"]);
    b["indicators"][0]["description"] = json!("\u{7f}");
    b["metrics"][1]["period"] = json!("2023\u{85}");
    b["omissions"] = json!([{"text": "今年", "reason": "a date\u{0}"}]);
    let r = send(&app, Method::POST, "/v1/bundles", b.to_string()).await;
    let body = assert_problem(&r, 422, None);
    let control: BTreeSet<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["message"].as_str().unwrap().contains("control character"))
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        control,
        BTreeSet::from([
            "/source/title",
            "/source/authors/0",
            "/regions/0/aliases/1",
            "/indicators/0/description",
            "/metrics/1/period",
            "/omissions/0/reason",
        ]),
        "{body}"
    );
    assert_eq!(table_counts(&app.pool).await, before);

    let mut ok = minimal();
    let text = ok["source"]["text"].as_str().unwrap().to_owned();
    ok["source"]["text"] = json!(format!("{text}\r\n\t"));
    ok["source"]["title"] = json!("标题\t一");
    let r = send(&app, Method::POST, "/v1/bundles", ok.to_string()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn write_routes_refuse_query_parameters_they_do_not_take() {
    let app = spawn_writable_app(LIMIT).await;
    let before = table_counts(&app.pool).await;
    let bundle = minimal().to_string();
    let cases = [
        (
            Method::POST,
            "/v1/bundles?access_token=secret",
            "access_token",
        ),
        (Method::POST, "/v1/bundles?entity=update", "entity"),
        (Method::POST, "/v1/bundles?entities=yes", "entities"),
        (
            Method::POST,
            "/v1/bundles?entities=update&entities=update",
            "entities",
        ),
        (Method::PUT, "/v1/bundles/test-minimal?replace=1", "replace"),
        (
            Method::PUT,
            "/v1/bundles/test-minimal?entities=",
            "entities",
        ),
    ];
    for (method, uri, param) in cases {
        let r = send(&app, method.clone(), uri, bundle.clone()).await;
        assert_problem(&r, 400, Some(param));
    }
    let source = seed().bundles[0]["source"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = send(
        &app,
        Method::DELETE,
        &format!("/v1/sources/{source}?force=1"),
        "",
    )
    .await;
    let body = assert_problem(&r, 400, Some("force"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no query parameters"),
        "{body}"
    );
    assert_eq!(table_counts(&app.pool).await, before, "nothing changed");

    // The documented values pass.
    for uri in ["/v1/bundles?entities=refuse", "/v1/bundles?entities=update"] {
        let r = send(&app, Method::POST, uri, bundle.clone()).await;
        assert_ne!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.text());
    }
}
