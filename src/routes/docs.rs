//! `/docs`: the API reference as HTML rendered on the server from the OpenAPI document the
//! service serves, so it reads without JavaScript and fetches nothing. Each read route shows
//! an example whose output is produced at render time by sending the example request through
//! the router against the live database: the output shown is what the route answers, and
//! cannot go stale as the data or the code changes.

use std::fmt::Write as _;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tower::ServiceExt;

use crate::state::AppState;

/// Bodies of examples are cut off here rather than read whole: every example asks for a
/// short page, so only an article's text comes near it.
const MAX_EXAMPLE_BYTES: usize = 256 * 1024;

/// The query an example of a read route asks, for the routes whose example needs more than
/// a short page; `None` for routes that serve pages or documents rather than data.
fn example_query(path: &str) -> Option<&'static str> {
    match path {
        "/" | "/docs" | "/openapi.json" | "/explorer.js" | "/explorer.css" => None,
        "/health" => Some(""),
        "/v1/search" => Some("?q=金昌&limit=2"),
        "/v1/metrics/breakdown" => Some("?by=kind&unit=CNY"),
        _ => Some("?limit=2"),
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Description text: escaped, with `backticked` spans as code, the one markup the
/// document's descriptions use.
fn prose(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    // An odd count of backticks leaves the last one as it was written.
    if text.matches('`').count() % 2 == 1 {
        return escape(text);
    }
    out
}

/// Percent-encodes what a URL in an `href` must not carry raw (the Chinese of a search), so
/// the link works when copied as well as when clicked.
fn url(path_and_query: &str) -> String {
    let mut out = String::new();
    for b in path_and_query.bytes() {
        if b.is_ascii_graphic() {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// One request through the router, as the service would answer it without its middleware.
async fn run(state: &AppState, target: &str) -> Option<(u16, Value)> {
    let request = Request::get(url(target))
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())
        .ok()?;
    let router = super::routes().into_router().with_state(state.clone());
    let response = router.oneshot(request).await.ok()?;
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), MAX_EXAMPLE_BYTES)
        .await
        .ok()?;
    Some((status, serde_json::from_slice(&bytes).ok()?))
}

fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// A short type for a schema: `string`, `integer | null`, `array of Region`, a link to a
/// named schema.
fn type_html(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = ref_name(r);
        return format!("<a href=\"#schema-{}\">{}</a>", escape(name), escape(name));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema.get(key).and_then(Value::as_array) {
            let joined: Vec<String> = parts.iter().map(type_html).collect();
            return joined.join(if key == "allOf" { " &amp; " } else { " | " });
        }
    }
    let kinds: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let mut parts = Vec::new();
    for kind in &kinds {
        if kind == "array" {
            let items = schema.get("items").map(type_html).unwrap_or_default();
            parts.push(format!("array of {items}"));
        } else {
            parts.push(escape(kind));
        }
    }
    if parts.is_empty() {
        parts.push("any".into());
    }
    parts.join(" | ")
}

/// Enum values, bounds and defaults: what a reader needs beyond the type.
fn constraints(schema: &Value) -> String {
    let mut notes = Vec::new();
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .map(|v| {
                format!(
                    "<code>{}</code>",
                    escape(v.as_str().unwrap_or(&v.to_string()))
                )
            })
            .collect();
        notes.push(format!("one of {}", values.join(", ")));
    }
    for (key, word) in [
        ("default", "default"),
        ("minimum", "at least"),
        ("maximum", "at most"),
        ("minLength", "length at least"),
        ("maxLength", "length at most"),
    ] {
        if let Some(v) = schema.get(key) {
            notes.push(format!("{word} <code>{}</code>", escape(&v.to_string())));
        }
    }
    notes.join("; ")
}

/// A schema as a nested list of its properties; named schemas are links to their own
/// section, so the listing stays finite however the schemas refer to each other.
fn schema_html(schema: &Value, out: &mut String) {
    let _ = write!(out, "<span class=\"type\">{}</span>", type_html(schema));
    let c = constraints(schema);
    if !c.is_empty() {
        let _ = write!(out, " <span class=\"muted\">{c}</span>");
    }
    if let Some(d) = schema.get("description").and_then(Value::as_str) {
        let _ = write!(out, " — {}", prose(d));
    }
    let inner = match schema.get("items") {
        Some(items) if items.get("$ref").is_none() => items,
        _ => schema,
    };
    let required: Vec<&str> = inner
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = inner.get("properties").and_then(Value::as_object) {
        out.push_str("<ul class=\"props\">");
        for (name, prop) in props {
            let _ = write!(out, "<li><code>{}</code>", escape(name));
            if required.contains(&name.as_str()) {
                out.push_str(" <span class=\"req\">required</span>");
            }
            out.push(' ');
            schema_html(prop, out);
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    if let Some(extra) = inner.get("additionalProperties").filter(|v| v.is_object()) {
        out.push_str("<ul class=\"props\"><li><i>each key</i> ");
        schema_html(extra, out);
        out.push_str("</li></ul>");
    }
}

fn parameters_html(op: &Value, out: &mut String) {
    let Some(params) = op.get("parameters").and_then(Value::as_array) else {
        return;
    };
    if params.is_empty() {
        return;
    }
    out.push_str(
        "<h4>Parameters</h4><table class=\"params\"><thead><tr><th scope=\"col\">name</th>\
         <th scope=\"col\">in</th><th scope=\"col\">type</th><th scope=\"col\">meaning</th>\
         </tr></thead><tbody>",
    );
    for p in params {
        let name = p.get("name").and_then(Value::as_str).unwrap_or("");
        let place = p.get("in").and_then(Value::as_str).unwrap_or("");
        let schema = p.get("schema").cloned().unwrap_or(Value::Null);
        let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
        let _ = write!(
            out,
            "<tr class=\"param\" data-param=\"{n}\"><td><code>{n}</code>{r}</td><td>{place}</td>\
             <td>{t} <span class=\"muted\">{c}</span></td><td>{d}</td></tr>",
            n = escape(name),
            r = if required {
                " <span class=\"req\">required</span>"
            } else {
                ""
            },
            place = escape(place),
            t = type_html(&schema),
            c = constraints(&schema),
            d = prose(p.get("description").and_then(Value::as_str).unwrap_or("")),
        );
    }
    out.push_str("</tbody></table>");
}

fn responses_html(op: &Value, out: &mut String) {
    if let Some(body) = op.get("requestBody") {
        out.push_str("<h4>Request body</h4><p>");
        out.push_str(&prose(
            body.get("description")
                .and_then(Value::as_str)
                .unwrap_or(""),
        ));
        out.push_str("</p>");
        if let Some(content) = body.get("content").and_then(Value::as_object) {
            for (media, c) in content {
                let _ = write!(out, "<div class=\"media\"><code>{}</code> ", escape(media));
                if let Some(s) = c.get("schema") {
                    schema_html(s, out);
                }
                out.push_str("</div>");
            }
        }
    }
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return;
    };
    out.push_str("<h4>Responses</h4><dl class=\"responses\">");
    for (status, r) in responses {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}",
            escape(status),
            prose(r.get("description").and_then(Value::as_str).unwrap_or(""))
        );
        // The schema of success answers; failures all share the Problem schema.
        if status.starts_with('2')
            && let Some(content) = r.get("content").and_then(Value::as_object)
        {
            for (media, c) in content {
                let _ = write!(out, "<div class=\"media\"><code>{}</code> ", escape(media));
                if let Some(s) = c.get("schema") {
                    schema_html(s, out);
                }
                out.push_str("</div>");
            }
        }
        out.push_str("</dd>");
    }
    out.push_str("</dl>");
}

async fn example_html(
    state: &AppState,
    path: &str,
    first_ids: &mut Vec<(String, String)>,
    out: &mut String,
) {
    let target = if let Some(list) = path.strip_suffix("/{id}") {
        // An item route shows the first item of its list's example.
        match first_ids.iter().find(|(p, _)| p == list) {
            Some((_, id)) => format!("{list}/{id}"),
            None => return,
        }
    } else if path.contains('{') {
        return;
    } else {
        match example_query(path) {
            Some(query) => format!("{path}{query}"),
            None => return,
        }
    };
    let Some((status, body)) = run(state, &target).await else {
        return;
    };
    if let Some(id) = body["data"][0]["id"].as_str() {
        first_ids.push((path.to_owned(), id.to_owned()));
    }
    let pretty = serde_json::to_string_pretty(&body).unwrap_or_default();
    let _ = write!(
        out,
        "<h4>Example</h4><p><code>GET <a href=\"{href}\">{shown}</a></code> → {status}</p>\
         <pre class=\"example\" data-example=\"{href}\" tabindex=\"0\">{json}</pre>",
        href = escape(&url(&target)),
        shown = escape(&target),
        json = escape(&pretty),
    );
}

const STYLE: &str = "\
:root{color-scheme:light dark;--muted:#666;--line:#ddd;--accent:#0b5cad}\
@media (prefers-color-scheme:dark){:root{--muted:#aaa;--line:#444;--accent:#7db4ff}}\
body{font:15px/1.55 system-ui,-apple-system,\"Segoe UI\",\"PingFang SC\",\"Hiragino Sans GB\",\
\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",sans-serif;max-width:62rem;\
margin:0 auto;padding:1rem}\
a{color:var(--accent)}code,pre{font-family:ui-monospace,\"SFMono-Regular\",Menlo,Consolas,monospace}\
nav ul{columns:2 16rem;padding-left:1.2rem}\
section.op{border-top:1px solid var(--line);padding:.5rem 0 1rem}\
.method{display:inline-block;min-width:4.2rem;font-weight:700;font-family:ui-monospace,monospace}\
.muted{color:var(--muted)}.req{font-size:.8em;color:#b3261e}\
table.params{border-collapse:collapse;width:100%;font-size:14px}\
table.params th,table.params td{border-bottom:1px solid var(--line);padding:.25rem .5rem .25rem 0;\
text-align:left;vertical-align:top}\
ul.props{margin:.2rem 0;padding-left:1.2rem;font-size:14px}\
dl.responses dt{font-weight:700;font-family:ui-monospace,monospace}\
dl.responses dd{margin:0 0 .4rem 1.5rem}\
pre.example{max-height:24rem;overflow:auto;border:1px solid var(--line);padding:.5rem;\
font-size:13px;white-space:pre-wrap;word-break:break-all}\
a:focus-visible,pre:focus-visible{outline:3px solid var(--accent);outline-offset:2px}\
@media (max-width:600px){table.params,table.params tbody,table.params tr,table.params td{\
display:block}table.params thead{display:none}table.params tr{border-bottom:1px solid var(--line);\
padding:.3rem 0}table.params td{border:0}}";

/// Turns a path into an id fragment that is valid and stable: `/v1/regions/{id}` →
/// `get-v1-regions-id`.
fn anchor(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// The whole page for the document `doc`, with examples run against `state`.
pub async fn render(state: &AppState, doc: &Value) -> String {
    let methods = ["get", "post", "put", "delete", "patch"];
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    // Lists before their items, so an item's example can use its list's first id.
    let mut ordered: Vec<(&String, &Value)> = paths.iter().collect();
    ordered.sort_by_key(|(p, _)| (p.contains('{'), p.as_str()));
    let mut sections = Vec::new();
    let mut first_ids = Vec::new();
    for (path, item) in ordered {
        for method in methods {
            let Some(op) = item.get(method) else { continue };
            let mut out = String::new();
            let id = anchor(method, path);
            let _ = write!(
                out,
                "<section class=\"op\" id=\"{id}\" data-path=\"{p}\" data-method=\"{m}\">\
                 <h3><span class=\"method\">{mu}</span> <code>{p}</code></h3><p>{s}</p>",
                p = escape(path),
                m = method,
                mu = method.to_uppercase(),
                s = escape(op.get("summary").and_then(Value::as_str).unwrap_or("")),
            );
            if let Some(d) = op.get("description").and_then(Value::as_str) {
                let _ = write!(out, "<p class=\"muted\">{}</p>", prose(d));
            }
            parameters_html(op, &mut out);
            responses_html(op, &mut out);
            if method == "get" {
                example_html(state, path, &mut first_ids, &mut out).await;
            }
            out.push_str("</section>");
            sections.push((path.clone(), method, id, out));
        }
    }
    sections.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));

    let mut page = String::new();
    let _ = write!(
        page,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>industry-facts API reference</title><link rel=\"icon\" href=\"data:,\">\
         <style>{STYLE}</style></head><body>\
         <header><h1>industry-facts API reference</h1><p>{about}</p>\
         <p>Version {version}. Rendered from <a href=\"/openapi.json\"><code>/openapi.json</code></a> \
         (OpenAPI 3.1); every example below is the route's own answer, produced when this page \
         was rendered. For browsing the facts, open the <a href=\"/\">explorer</a>.</p></header>\
         <nav aria-label=\"Contents\"><h2>Contents</h2><ul>",
        about = escape(doc["info"]["description"].as_str().unwrap_or("")),
        version = escape(doc["info"]["version"].as_str().unwrap_or("")),
    );
    for (path, method, id, _) in &sections {
        let _ = write!(
            page,
            "<li><a href=\"#{id}\"><span class=\"method\">{}</span> {}</a></li>",
            method.to_uppercase(),
            escape(path)
        );
    }
    page.push_str("<li><a href=\"#schemas\">Schemas</a></li></ul></nav><main><h2>Routes</h2>");
    for (_, _, _, html) in &sections {
        page.push_str(html);
    }
    page.push_str("<h2 id=\"schemas\">Schemas</h2>");
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            let _ = write!(
                page,
                "<section class=\"op schema\" id=\"schema-{n}\"><h3>{n}</h3>",
                n = escape(name)
            );
            schema_html(schema, &mut page);
            page.push_str("</section>");
        }
    }
    page.push_str("</main></body></html>");
    page
}

pub async fn docs(State(state): State<AppState>) -> Response {
    let doc: Value = super::openapi::document()
        .to_json()
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    let page = render(&state, &doc).await;
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

#[cfg(test)]
mod tests {
    use super::{anchor, escape, prose, url};

    #[test]
    fn text_and_urls_are_escaped_for_html() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(url("/v1/search?q=金"), "/v1/search?q=%E9%87%91");
        assert_eq!(anchor("get", "/v1/regions/{id}"), "get-v1-regions-id");
        assert_eq!(prose("a `<b>` c"), "a <code>&lt;b&gt;</code> c");
        assert_eq!(prose("odd ` one"), "odd ` one");
    }
}
