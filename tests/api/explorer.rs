//! The explorer as served, without a browser: `/` answers HTML only to clients that prefer it
//! and keeps its JSON answer for everyone else, and the page and its assets come from this
//! server alone, so it works with no network.

use crate::helpers::spawn_app;

const CHROME_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

/// Every `src="…"` and `href="…"` of a page.
fn references(page: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (at, _) in page.match_indices(attr) {
            let rest = &page[at + attr.len()..];
            found.push(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    found
}

#[tokio::test]
async fn browsers_get_the_explorer_and_programs_keep_json() {
    let app = spawn_app().await;
    let page = app.get_with("/", &[("accept", CHROME_ACCEPT)]).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.header("vary").unwrap_or_default().contains("accept"));
    assert!(page.header("etag").is_some());
    let html = page.text();
    for id in [
        "search",
        "suggestions",
        "f-region",
        "metrics",
        "next",
        "csv",
        "chart",
        "article",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "the page has #{id}");
    }

    for accept in [None, Some("*/*"), Some("application/json")] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
        let r = app.get_with("/", &headers).await;
        assert_eq!(r.status, 404, "Accept {accept:?}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.json()["code"], "not-found");
        assert!(
            r.json()["detail"]
                .as_str()
                .unwrap()
                .contains("/openapi.json")
        );
        assert!(r.header("vary").unwrap_or_default().contains("accept"));
    }
}

#[tokio::test]
async fn the_explorer_loads_nothing_from_another_host() {
    let app = spawn_app().await;
    let html = app.get_with("/", &[("accept", "text/html")]).await.text();
    let refs = references(&html);
    assert!(refs.len() >= 4, "{refs:?}");
    let mut assets = Vec::new();
    for r in &refs {
        assert!(
            (r.starts_with('/') && !r.starts_with("//")) || r.starts_with('#') || r == "data:,",
            "`{r}` is not on this server"
        );
        if r.ends_with(".js") || r.ends_with(".css") {
            assets.push(r.clone());
        }
    }
    assert_eq!(assets, ["/explorer.js", "/explorer.css"]);
    for (path, media) in [
        ("/explorer.js", "text/javascript; charset=utf-8"),
        ("/explorer.css", "text/css; charset=utf-8"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(media), "{path}");
        let etag = r.header("etag").expect("an ETag").to_owned();
        let again = app.get_with(path, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, 304, "{path} revalidates");
        let body = r.text();
        // The only URL the script names is SVG's namespace, which is a name, never fetched.
        let urls: Vec<&str> = body
            .match_indices("http")
            .map(|(at, _)| body[at..].split(['\'', '"', ')', ' ']).next().unwrap())
            .collect();
        assert!(
            urls.iter().all(|u| *u == "http://www.w3.org/2000/svg"),
            "{path} names {urls:?}"
        );
        assert!(
            !body.contains("@import") && !body.contains("url("),
            "{path}"
        );
        assert!(!body.contains("import("), "{path} loads no module");
    }
}
