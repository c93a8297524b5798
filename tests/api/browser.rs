//! The explorer used as a person uses it: Debian's Chromium, headless, driven over the
//! WebDriver protocol by chromedriver against the real binary. Search, filters, paging, an
//! article's quote, the charts and the CSV link are each checked against what the API answers
//! for the same request. Nothing downloads a browser: without `chromium` and `chromedriver`
//! on the PATH the test says it was skipped and how to run it, unless `BROWSER_TEST=require`
//! (set by `.ci/run`) makes a missing browser a failure. `SCREENSHOTS=1` also writes the
//! screenshots the README shows.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use hyper::Method;
use serde_json::{Value, json};

use crate::client;
use crate::process::serve;

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const ARROW_DOWN: &str = "\u{E015}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";
/// Long enough for a cold debug build's first pages on a busy machine.
const WAIT: Duration = Duration::from_secs(30);

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Kills chromedriver (and with it the browser it started) however the test ends.
struct Driver {
    child: Child,
    addr: String,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = std::panic::catch_unwind(|| {
                client::request(
                    &self.addr,
                    Method::DELETE,
                    &format!("/session/{}", self.session),
                    &[],
                    None,
                )
            });
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(chromium: &Path, chromedriver: &Path, profile: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut driver = Driver {
            child,
            addr: format!("127.0.0.1:{port}"),
            session: String::new(),
        };
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = std::net::TcpStream::connect(&driver.addr).is_ok()
                && client::request(&driver.addr, Method::GET, "/status", &[], None).body["value"]["ready"]
                    == true;
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not get ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_str().unwrap(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--lang=en-US",
                    format!("--user-data-dir={}", profile.display()),
                    "--window-size=1280,900",
                ],
            },
        }}});
        let r = client::request(
            &driver.addr,
            Method::POST,
            "/session",
            &[],
            Some(&capabilities),
        );
        assert_eq!(r.status, 200, "a browser session: {}", r.text);
        driver.session = r.body["value"]["sessionId"].as_str().unwrap().to_owned();
        driver
    }

    fn call(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("/session/{}{path}", self.session);
        let body = body.or_else(|| (method == Method::POST).then(|| json!({})));
        let r = client::request(&self.addr, method, &url, &[], body.as_ref());
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        r.body["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.call(Method::POST, "/url", Some(json!({"url": url})));
    }

    fn url(&self) -> String {
        self.call(Method::GET, "/url", None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn run(&self, script: &str, args: Value) -> Value {
        self.call(
            Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            Method::POST,
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT].as_str().unwrap().to_owned()
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.call(Method::POST, &format!("/element/{id}/click"), None);
    }

    fn keys(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call(
            Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        );
    }

    fn window(&self, width: u32, height: u32) {
        self.call(
            Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        );
    }

    fn screenshot_at(&self, width: u32, height: u32, url: &str, file: &Path) {
        self.window(width, height);
        self.goto(url);
        self.settle();
        // The article opens after the page's first answers; let it scroll into place.
        std::thread::sleep(Duration::from_millis(300));
        let png = self.call(Method::GET, "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(file, bytes).unwrap();
    }

    /// Polls `script` (a function body returning a value) until it returns something truthy.
    fn wait_for(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.run(script, json!([]));
            if !(v.is_null() || v == false || v == "" || v == 0) {
                return v;
            }
            assert!(Instant::now() < deadline, "waited in vain for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the page has no request of its own under way.
    fn settle(&self) {
        self.wait_for(
            "the page to finish loading",
            "return document.readyState === 'complete' && \
             document.documentElement.dataset.busy === '0';",
        );
    }

    fn rows(&self) -> Vec<String> {
        serde_json::from_value(self.run(
            "return [...document.querySelectorAll('#metrics tbody tr')].map(r => r.dataset.id);",
            json!([]),
        ))
        .unwrap()
    }

    /// A select's choices as the page shows them: value to the count beside it.
    fn choices(&self, id: &str) -> Vec<(String, i64)> {
        let v = self.run(
            "return [...document.getElementById(arguments[0]).options] \
             .filter(o => o.value && o.dataset.count) \
             .map(o => [o.value, Number(o.dataset.count)]);",
            json!([id]),
        );
        serde_json::from_value(v).unwrap()
    }
}

fn api(addr: &str, path: &str) -> Value {
    let r = client::request(addr, Method::GET, path, &[], None);
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.body
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

fn facet(addr: &str, query: &str, field: &str) -> Vec<(String, i64)> {
    let body = api(
        addr,
        &format!("/v1/metrics?{query}&limit=0&facet={field}&facet_size=1000"),
    );
    body["meta"]["facets"][field]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_owned(),
                v["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The breakdown the chart should draw, with the same fallback to grouping by unit.
fn breakdown_groups(addr: &str, query: &str) -> usize {
    let path = format!("/v1/metrics/breakdown?{query}");
    let r = client::request(addr, Method::GET, &path, &[], None);
    let body = if r.status == 400 {
        api(addr, &format!("{path}&by=unit"))
    } else {
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        r.body
    };
    body["data"].as_array().unwrap().len()
}

/// Writes past the test harness's capture of `eprintln!`, so a skip shows in a plain
/// `cargo test` rather than only with `--nocapture`.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n{line}");
}

/// Finds the browser, or says why the test cannot run: `None` to skip, a panic when the
/// environment demands the test.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let mode = std::env::var("BROWSER_TEST").unwrap_or_default();
    if mode == "skip" {
        say("browser test skipped: BROWSER_TEST=skip");
        return None;
    }
    let chromium = on_path(&["chromium", "chromium-browser"]);
    let chromedriver = on_path(&["chromedriver"]);
    match (chromium, chromedriver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            let message = "chromium and chromedriver were not found on the PATH; install them \
                           with `apt-get install -y chromium chromium-driver` and run \
                           `cargo test --test api browser`";
            assert!(mode != "require", "browser test required: {message}");
            say(&format!("browser test skipped: {message}"));
            None
        }
    }
}

#[test]
fn the_explorer_in_a_real_browser() {
    let Some((chromium, chromedriver)) = browser() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &dir.path().join("x.db"));
    let addr = server.addr.clone();
    let base = format!("http://{addr}");
    let profile = tempfile::tempdir().unwrap();
    let d = Driver::start(&chromium, &chromedriver, profile.path());

    d.goto(&format!("{base}/"));
    d.settle();
    let everything = api(&addr, "/v1/metrics?limit=20");
    assert_eq!(d.rows(), ids(&everything), "the first page of all facts");

    // Type a place name and pick it from the suggestions with the keyboard.
    d.keys("#search", "金昌");
    let suggested: Vec<(String, String)> = serde_json::from_value(d.wait_for(
        "suggestions for 金昌",
        "const items = [...document.querySelectorAll('#suggestions [role=option]')]; \
         return !document.getElementById('suggestions').hidden && items.length && \
         items.map(li => [li.dataset.type, li.dataset.id]);",
    ))
    .unwrap();
    let hits = api(&addr, "/v1/search?q=%E9%87%91%E6%98%8C&limit=8");
    let expected: Vec<(String, String)> = hits["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["type"].as_str().unwrap().to_owned(),
                h["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(suggested, expected, "the suggestions are the search's hits");
    let at = suggested
        .iter()
        .position(|(t, id)| t == "region" && id == "jinchang")
        .expect("Jinchang is suggested");
    for _ in 0..=at {
        d.keys("#search", ARROW_DOWN);
    }
    let active = d.run(
        "return document.getElementById(document.getElementById('search') \
         .getAttribute('aria-activedescendant')).dataset.id;",
        json!([]),
    );
    assert_eq!(active, "jinchang", "the arrow keys reach the suggestion");
    d.keys("#search", ENTER);
    d.wait_for(
        "the region filter in the address",
        "return location.search.includes('region=jinchang');",
    );
    d.settle();
    let jinchang = api(&addr, "/v1/metrics?region=jinchang&limit=20");
    assert_eq!(d.rows(), ids(&jinchang), "the table holds Jinchang's facts");
    assert_eq!(
        d.run(
            "const s = document.getElementById('f-region'); return s.options[s.selectedIndex].text;",
            json!([])
        ),
        "金昌市 Jinchang",
        "the place picked shows as the chosen region"
    );

    // Choose a province from its control; the counts beside every choice are the API's.
    d.click("#f-region option[value=gansu]");
    d.wait_for(
        "the province in the address",
        "return location.search.includes('region=gansu');",
    );
    d.settle();
    assert_eq!(
        d.choices("f-region"),
        {
            let body = api(
                &addr,
                "/v1/metrics?limit=0&facet=region&facet_level=province&facet_size=1000",
            );
            body["meta"]["facets"]["region"]["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    (
                        v["value"].as_str().unwrap().to_owned(),
                        v["count"].as_i64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        },
        "provinces counted under every other filter"
    );
    for field in [
        "indicator",
        "kind",
        "qualifier",
        "unit",
        "period",
        "subject_type",
    ] {
        assert_eq!(
            d.choices(&format!("f-{field}")),
            facet(&addr, "region=gansu", field),
            "the counts beside each {field}"
        );
    }
    let page1 = api(&addr, "/v1/metrics?region=gansu&limit=20");
    assert_eq!(d.rows(), ids(&page1));
    let cursor = page1["meta"]["next_cursor"]
        .as_str()
        .expect("Gansu has a second page of 20");

    // Page forward by the cursor.
    d.click("#next");
    d.wait_for(
        "the cursor in the address",
        "return location.search.includes('cursor=');",
    );
    d.settle();
    let page2 = api(
        &addr,
        &format!("/v1/metrics?region=gansu&limit=20&cursor={cursor}"),
    );
    assert_eq!(d.rows(), ids(&page2), "the second page");
    let total = page1["meta"]["total"].as_i64().unwrap();
    let summary = d.run(
        "return document.getElementById('summary').textContent;",
        json!([]),
    );
    assert_eq!(
        summary,
        format!("{total} facts · showing 21–{}", 20 + ids(&page2).len()),
    );

    // The address holds the view: a reload shows the same page and filter.
    let shared = d.url();
    d.run("location.reload();", json!([]));
    d.settle();
    assert_eq!(d.url(), shared);
    assert_eq!(d.rows(), ids(&page2), "the same page after a reload");
    assert_eq!(
        d.run(
            "return document.getElementById('f-region').value;",
            json!([])
        ),
        "gansu"
    );

    // Back returns to the first page, Forward to the second.
    d.run("history.back();", json!([]));
    d.wait_for(
        "the first page's address",
        "return !location.search.includes('cursor=');",
    );
    d.settle();
    assert_eq!(d.rows(), ids(&page1), "Back shows the first page again");
    d.run("history.forward();", json!([]));
    d.wait_for(
        "the second page's address",
        "return location.search.includes('cursor=');",
    );
    d.settle();
    assert_eq!(d.rows(), ids(&page2), "Forward shows the second page again");

    // The CSV link gives exactly the rows shown.
    let href = d
        .run(
            "return document.getElementById('csv').getAttribute('href');",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_owned();
    let downloaded = client::request(&addr, Method::GET, &href, &[], None);
    assert_eq!(downloaded.status, 200, "{href}");
    assert!(
        downloaded
            .header("content-type")
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let from_api = client::request(
        &addr,
        Method::GET,
        &format!("/v1/metrics?region=gansu&limit=20&cursor={cursor}&format=csv"),
        &[],
        None,
    );
    assert_eq!(downloaded.text, from_api.text, "the CSV of the same page");
    let csv_ids: Vec<String> = downloaded
        .text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(csv_ids, d.rows(), "the CSV holds the rows on screen");
    let fetched = d.call(
        Method::POST,
        "/execute/async",
        Some(
            json!({"script": "const done = arguments[arguments.length - 1]; \
            const a = document.getElementById('csv'); \
            fetch(a.href).then(r => r.text()).then(t => done([a.download, t]));",
            "args": []}),
        ),
    );
    assert_eq!(fetched[0], "metrics.csv", "the link downloads a file");
    assert_eq!(fetched[1], from_api.text, "the browser gets the same CSV");

    // A number opens its article, the quote marked at quote_start.
    let metric = d.rows()[0].clone();
    d.click(&format!(".quote-link[data-metric=\"{metric}\"]"));
    d.wait_for(
        "the article with its quote",
        "return document.getElementById('article').open && document.getElementById('quote');",
    );
    let item = api(&addr, &format!("/v1/metrics/{metric}"));
    let marked = d.run(
        "const m = document.getElementById('quote'); \
         const before = document.createRange(); \
         before.setStart(document.getElementById('article-text'), 0); \
         before.setEndBefore(m); \
         return [m.textContent, Array.from(before.toString()).length];",
        json!([]),
    );
    assert_eq!(
        marked[0], item["data"]["quote"],
        "the marked text is the quote"
    );
    assert_eq!(
        marked[1], item["data"]["quote_start"],
        "the mark starts at quote_start, counted in characters"
    );
    let source = api(
        &addr,
        &format!(
            "/v1/sources/{}",
            item["data"]["source_id"].as_str().unwrap()
        ),
    );
    assert_eq!(
        d.run(
            "return document.getElementById('article-text').textContent;",
            json!([])
        ),
        source["data"]["text"],
        "the whole article, unchanged around the mark"
    );
    assert!(d.url().contains(&format!("open={metric}")));
    d.keys("#article-close", ESCAPE);
    d.wait_for(
        "the article to close",
        "return !document.getElementById('article').open && !location.search.includes('open=');",
    );

    // Charts: bars of a breakdown, then a series with actual and target apart.
    let bars = |d: &Driver| {
        d.run(
            "return document.querySelectorAll('#chart .bar').length;",
            json!([]),
        )
        .as_u64()
        .unwrap() as usize
    };
    assert_eq!(
        bars(&d),
        breakdown_groups(&addr, "by=region&level=province&region=gansu")
    );
    d.click("input[name=chart][value=indicator]");
    d.wait_for(
        "the indicator chart",
        "return location.search.includes('chart=indicator');",
    );
    d.settle();
    let groups = breakdown_groups(&addr, "by=indicator&region=gansu");
    assert!(groups > 1, "Gansu's facts span several indicators");
    assert_eq!(bars(&d), groups, "one bar per group of the breakdown");
    d.click("input[name=chart][value=series]");
    d.wait_for(
        "the series chart",
        "return location.search.includes('chart=series');",
    );
    d.settle();
    let series = api(&addr, "/v1/series?region=gansu&limit=1000");
    let key = |s: &Value| {
        format!(
            "{}|{}|{}|{}",
            s["indicator"].as_str().unwrap(),
            s["subject"]["id"].as_str().unwrap(),
            s["unit"].as_str().unwrap(),
            s["region_id"].as_str().unwrap()
        )
    };
    let listed: Vec<String> = serde_json::from_value(d.run(
        "return [...document.getElementById('series-pick').options].map(o => o.value);",
        json!([]),
    ))
    .unwrap();
    let mut from_api: Vec<String> = series["data"].as_array().unwrap().iter().map(key).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    from_api.sort();
    assert_eq!(
        sorted, from_api,
        "every series of the selection can be chosen"
    );
    let kinds = |s: &Value, kind: &str| {
        s["points"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["kind"] == kind)
            .count() as u64
    };
    let both = series["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| kinds(s, "actual") > 0 && kinds(s, "target") > 0)
        .expect("a series of Gansu holds both actual and target figures");
    d.click(&format!("#series-pick option[value=\"{}\"]", key(both)));
    d.run(
        "return document.getElementById('series-pick').value === arguments[0];",
        json!([key(both)]),
    )
    .as_bool()
    .filter(|&b| b)
    .expect("the series is chosen");
    d.settle();
    let drawn = d.run(
        "const c = document.getElementById('chart'); return [ \
         c.querySelectorAll('circle.point[data-kind=actual]').length, \
         c.querySelectorAll('rect.point[data-kind=target]').length, \
         c.querySelectorAll('polyline.actual').length, \
         c.querySelectorAll('polyline.target').length];",
        json!([]),
    );
    assert_eq!(
        drawn,
        json!([kinds(both, "actual"), kinds(both, "target"), 1, 1]),
        "actual as dots on a solid line, target as squares on a dashed one: {both}"
    );

    // At a phone's width the page fits without scrolling sideways.
    d.window(390, 900);
    d.goto(&format!("{base}/?region=gansu"));
    d.settle();
    let fit = d.run(
        "return [document.documentElement.scrollWidth, window.innerWidth, \
         getComputedStyle(document.querySelector('#metrics thead')).display];",
        json!([]),
    );
    assert_eq!(fit[1], 390, "the window is a phone's width");
    assert!(
        fit[0].as_u64() <= fit[1].as_u64(),
        "nothing sticks out sideways: {fit}"
    );
    assert_eq!(fit[2], "none", "rows read as cards, without the header row");

    if std::env::var("SCREENSHOTS").is_ok_and(|v| v == "1") {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
        d.screenshot_at(
            1280,
            2150,
            &format!("{base}/?region=gansu&limit=10&chart=series"),
            &docs.join("explorer-desktop.png"),
        );
        d.screenshot_at(
            390,
            1500,
            &format!("{base}/?region=gansu&kind=actual&limit=10"),
            &docs.join("explorer-phone.png"),
        );
        let revenue = api(&addr, "/v1/metrics?indicator=revenue&sort=-value&limit=1");
        d.screenshot_at(
            1280,
            900,
            &format!(
                "{base}/?indicator=revenue&open={}",
                revenue["data"][0]["id"].as_str().unwrap()
            ),
            &docs.join("explorer-quote.png"),
        );
    }
}
