//! The OpenAPI 3.1 document, built from the same filter and sort tables the handlers use, so
//! the documentation cannot drift from what the routes accept.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref,
    RefOr, Required, ResponseBuilder, Schema,
};
use utoipa::{PartialSchema, ToSchema};

use super::enterprises::Enterprise;
use super::indicators::Indicator;
use super::metrics::{Metric, Subject};
use super::policies::Policy;
use super::projects::Project;
use super::regions::Region;
use super::search::Hit;
use super::sources::{Source, SourceDetail};
use crate::db::entities::OnChangedEntity;
use crate::db::read::{self, Collection, DEFAULT_LIMIT, Filter, FilterKind, MAX_LIMIT};
use crate::error::Problem;
use crate::fts::{MAX_QUERY_CHARS, MAX_QUERY_WORDS};
use crate::http::REQUEST_ID;

fn string_schema(enum_values: Option<&[&str]>, description: &str) -> RefOr<Schema> {
    let mut b = ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .description(Some(description));
    if let Some(values) = enum_values {
        b = b.enum_values(Some(values.iter().copied()));
    }
    RefOr::T(Schema::Object(b.build()))
}

fn query_param(name: &str, schema: RefOr<Schema>, doc: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(doc))
        .schema(Some(schema))
        .build()
}

fn filter_param(spec: &Filter) -> utoipa::openapi::path::Parameter {
    let schema = match spec.kind {
        FilterKind::Enum(values) => string_schema(Some(values), &spec.kind.describe()),
        FilterKind::Year => RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::Integer))
                .build(),
        )),
        FilterKind::Number => RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::Number))
                .build(),
        )),
        _ => string_schema(None, &spec.kind.describe()),
    };
    let doc = match spec.kind {
        FilterKind::Ref(_) => format!(
            "{} Also takes a name (Chinese or English, any case) or an alias; an unknown or \
             ambiguous one is a 400 naming the closest ids. Several values, separated by commas \
             or repeated, mean either.",
            spec.doc
        ),
        FilterKind::Enum(_) | FilterKind::Tag => format!(
            "{} Several values, separated by commas or repeated, mean either; each is checked.",
            spec.doc
        ),
        _ => spec.doc.to_owned(),
    };
    query_param(spec.param, schema, &doc)
}

/// `meta.facets`: per field asked for, its values with their labels and counts.
fn facets_schema() -> ObjectBuilder {
    let value = ObjectBuilder::new()
        .property(
            "value",
            ObjectBuilder::new().schema_type(SchemaType::new(Type::String)),
        )
        .property(
            "label_zh",
            ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null])),
        )
        .property(
            "label_en",
            ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null])),
        )
        .property(
            "count",
            ObjectBuilder::new().schema_type(SchemaType::new(Type::Integer)),
        )
        .required("value")
        .required("label_zh")
        .required("label_en")
        .required("count");
    let counts = ObjectBuilder::new()
        .property("values", ArrayBuilder::new().items(value))
        .property(
            "truncated",
            ObjectBuilder::new().schema_type(SchemaType::new(Type::Boolean)),
        )
        .required("values")
        .required("truncated");
    ObjectBuilder::new()
        .description(Some(
            "Only when `facet` is given: each field's values, largest count first.",
        ))
        .additional_properties(Some(counts))
}

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .into()
}

fn list_schema(item: &str) -> Schema {
    let meta = ObjectBuilder::new()
        .property(
            "total",
            ObjectBuilder::new().schema_type(SchemaType::new(Type::Integer)),
        )
        .property(
            "limit",
            ObjectBuilder::new().schema_type(SchemaType::new(Type::Integer)),
        )
        .property(
            "next_cursor",
            ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null])),
        )
        .property("facets", facets_schema())
        .required("total")
        .required("limit")
        .required("next_cursor");
    Schema::Object(
        ObjectBuilder::new()
            .property(
                "data",
                ArrayBuilder::new().items(Ref::from_schema_name(item)),
            )
            .property("meta", meta)
            .required("data")
            .required("meta")
            .build(),
    )
}

fn list_operation(c: &Collection, item: &str, summary: &str) -> OperationBuilder {
    let sorts: Vec<String> = c
        .sorts
        .iter()
        .flat_map(|s| [s.name.to_owned(), format!("-{}", s.name)])
        .collect();
    let sort_refs: Vec<&str> = sorts.iter().map(String::as_str).collect();
    let mut op = OperationBuilder::new()
        .summary(Some(summary))
        .operation_id(Some(format!("list_{}", c.name)))
        .tag(c.name)
        .parameter(query_param(
            "limit",
            RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::Integer))
                    .minimum(Some(0))
                    .maximum(Some(MAX_LIMIT))
                    .default(Some(DEFAULT_LIMIT.into()))
                    .build(),
            )),
            "Items per page; 0 for the total (and facets) alone.",
        ))
        .parameter(query_param(
            "cursor",
            string_schema(None, "opaque"),
            "The previous page's meta.next_cursor.",
        ))
        .parameter(query_param(
            "sort",
            string_schema(Some(&sort_refs), "field, or -field for descending"),
            "Sort order; ties are broken by id.",
        ))
        .parameter(query_param(
            "q",
            RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::String))
                    .description(Some("text"))
                    .min_length(Some(1))
                    .max_length(Some(MAX_QUERY_CHARS))
                    .build(),
            )),
            &format!(
                "Text search (Chinese or English): parts separated by spaces, `,`, `，` or `、` \
                 must all occur; full-width and compatibility forms match their plain forms \
                 (NFKC) and English plurals their singular. At most {MAX_QUERY_CHARS} characters \
                 and {MAX_QUERY_WORDS} parts; control characters other than tab and line breaks are \
                 refused. Longer text is a 400 naming `q`; a search whose database work runs past \
                 the server's query budget is a 503 `timeout`."
            ),
        ))
        .parameter(query_param(
            "format",
            string_schema(Some(&["json", "csv"]), "response format"),
            "csv returns the same rows with a header row (also Accept: text/csv), as an \
             attachment named after the collection (`Content-Disposition: attachment; \
             filename=\"metrics.csv\"`).",
        ))
        .parameter(query_param(
            "bom",
            RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::Boolean))
                    .default(Some(serde_json::json!(false)))
                    .build(),
            )),
            "CSV only: true starts the body with a UTF-8 byte order mark, so Excel reads the \
             file as UTF-8. Given with JSON it is a 400 naming `bom`.",
        ));
    for spec in c.filters {
        op = op.parameter(filter_param(spec));
    }
    let facets = crate::db::read::facets::facets_of(c.name);
    if !facets.is_empty() {
        let names: Vec<&str> = facets.iter().map(|f| f.name).collect();
        op = op
            .parameter(query_param(
                "facet",
                string_schema(Some(&names), "a facetable field"),
                "Adds meta.facets: how many of all matching rows (not the page) carry each value \
                 of the field. Repeatable or comma-separated; JSON only (with CSV it is a 400).",
            ))
            .parameter(query_param(
                "facet_size",
                RefOr::T(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(SchemaType::new(Type::Integer))
                        .minimum(Some(1))
                        .maximum(Some(crate::db::read::facets::MAX_FACET_SIZE))
                        .default(Some(crate::db::read::facets::DEFAULT_FACET_SIZE.into()))
                        .build(),
                )),
                "Values per facet; `truncated` says when more exist.",
            ));
        if facets.iter().any(|f| f.region) {
            op = op.parameter(query_param(
                "facet_level",
                string_schema(Some(crate::bundle::model::REGION_LEVELS), "a region level"),
                "Counts a region facet at this level: a row counts for its region's ancestor \
                 at the level; rows whose region lies above the level are left out.",
            ));
        }
    }
    op.response(
        "200",
        ResponseBuilder::new()
            .description("A page of items.")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(list_schema(item)))
                    .build(),
            )
            .content(
                "text/csv",
                ContentBuilder::new().schema(Some(String::schema())).build(),
            ),
    )
    .response(
        "400",
        problem("A parameter is unknown or malformed; `errors` names it."),
    )
}

fn add_collection(
    paths: PathsBuilder,
    c: &Collection,
    item: &str,
    detail: &str,
    summary: &str,
) -> PathsBuilder {
    let get_one = OperationBuilder::new()
        .summary(Some(format!("One {} by id", c.noun)))
        .operation_id(Some(format!("get_{}", c.noun)))
        .tag(c.name)
        .parameter(id_param("id"))
        .response(
            "200",
            ResponseBuilder::new().description("The item.").content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Schema::Object(
                        ObjectBuilder::new()
                            .property("data", Ref::from_schema_name(detail))
                            .required("data")
                            .build(),
                    )))
                    .build(),
            ),
        )
        .response("404", problem("No item has this id."));
    paths
        .path(
            format!("/v1/{}", c.name),
            PathItem::new(HttpMethod::Get, list_operation(c, item, summary)),
        )
        .path(
            format!("/v1/{}/{{id}}", c.name),
            PathItem::new(HttpMethod::Get, get_one),
        )
}

fn bundle_body() -> utoipa::openapi::request_body::RequestBody {
    utoipa::openapi::request_body::RequestBodyBuilder::new()
        .description(Some(
            "A bundle: one source with its full text and what was taken from it (docs/bundles.md). \
             It may be sent with `Content-Encoding: gzip`; the size limit applies to it inflated.",
        ))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(SchemaType::new(Type::Object))
                        .build(),
                )))
                .build(),
        )
        .required(Some(Required::True))
        .build()
}

fn write_operation(id: &str, summary: &str) -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some(id))
        .summary(Some(summary))
        .tag("writes")
        .security(utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        ))
        .response("401", problem("The bearer token is missing or wrong."))
        .response(
            "403",
            problem(
                "Writes are off: no token is configured (`writes-disabled`), or the server is a \
                 read-only replica (`read-only`).",
            ),
        )
        .response(
            "503",
            problem(
                "Too many requests under way (`overloaded`), earlier writes or another process \
                 held the database longer than this write could wait (`busy`; nothing was \
                 stored), or the request timed out (`timeout`); Retry-After says when to try \
                 again.",
            ),
        )
        .response(
            "507",
            problem(
                "The database's storage is full (`storage-full`); nothing was stored. Writes \
                 work again as soon as there is room.",
            ),
        )
}

fn stored_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Schema::Object(
                    ObjectBuilder::new()
                        .property("data", Ref::from_schema_name("StoreSummary"))
                        .required("data")
                        .build(),
                )))
                .build(),
        )
        .into()
}

fn id_param(name: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(String::schema()))
        .build()
}

/// The opt-in that lets a bundle change entities already stored.
fn entities_param() -> utoipa::openapi::path::Parameter {
    query_param(
        "entities",
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .enum_values(Some(OnChangedEntity::NAMES.iter().copied()))
                .default(Some("refuse".into()))
                .build(),
        )),
        "What to do when the bundle gives an entity that is already stored other fields: \
         `refuse` (the default) answers 409 `entity-conflict` listing each differing field; \
         `update` stores the bundle's fields and records this source in the entity's `defined_by`.",
    )
}

const ENTITY_CONFLICT: &str = "the bundle gives an entity that is already stored other fields \
     and `entities=update` was not sent (`entity-conflict`): `errors` lists each such field with \
     its pointer into the bundle, the `stored` and the `proposed` value. Nothing was stored.";

const TOO_LARGE: &str =
    "The body, inflated if sent as gzip, or its declared Content-Length is over the limit.";

const UNSUPPORTED_BODY: &str =
    "The body is not application/json, or its Content-Encoding is neither gzip nor identity.";

const INVALID_BODY: &str = "The bundle has problems, each with a JSON pointer: invalid fields, \
     a key repeated within an object, a control character other than tab, line feed or \
     carriage return in a string. Nothing was stored.";

fn add_writes(paths: PathsBuilder) -> PathsBuilder {
    let create = write_operation("create_bundle", "Add a bundle")
        .parameter(entities_param())
        .request_body(Some(bundle_body()))
        .response("201", stored_response("Stored; Location names the source."))
        .response(
            "400",
            problem("The body is not JSON, or a query parameter is unknown or malformed."),
        )
        .response(
            "409",
            problem(&format!(
                "The source is already stored (`conflict`), or {ENTITY_CONFLICT}"
            )),
        )
        .response("413", problem(TOO_LARGE))
        .response("415", problem(UNSUPPORTED_BODY))
        .response("422", problem(INVALID_BODY));
    let replace = write_operation(
        "replace_bundle",
        "Add or replace a source and its metrics, atomically",
    )
    .parameter(id_param("source_id"))
    .parameter(entities_param())
    .request_body(Some(bundle_body()))
    .response("200", stored_response("Replaced."))
    .response("201", stored_response("Added."))
    .response(
        "400",
        problem("The body is not JSON, or a query parameter is unknown or malformed."),
    )
    .response("409", problem(&format!("Refused: {ENTITY_CONFLICT}")))
    .response("413", problem(TOO_LARGE))
    .response("415", problem(UNSUPPORTED_BODY))
    .response(
        "422",
        problem(&format!(
            "{INVALID_BODY} Also when the bundle names another source than the URL."
        )),
    );
    let delete = write_operation(
        "delete_source",
        "Delete a source and its metrics; entities stay",
    )
    .parameter(id_param("id"))
    .response("204", ResponseBuilder::new().description("Deleted."))
    .response(
        "400",
        problem("A query parameter was sent; this route takes none."),
    )
    .response("404", problem("No source has this id."));
    let mut paths = paths
        .path("/v1/bundles", PathItem::new(HttpMethod::Post, create))
        .path(
            "/v1/bundles/{source_id}",
            PathItem::new(HttpMethod::Put, replace),
        )
        .build();
    paths.add_path_operation("/v1/sources/{id}", vec![HttpMethod::Delete], delete);
    paths.into()
}

fn add_drafts(paths: PathsBuilder) -> PathsBuilder {
    let body = utoipa::openapi::request_body::RequestBodyBuilder::new()
        .description(Some(
            "The article: `text` (required), and optionally `source_id`, `title`, `publication`, \
             `published` (a partial date), `authors` and `url`, which the text may not say.",
        ))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Schema::Object(
                    ObjectBuilder::new()
                        .property("text", String::schema())
                        .property("source_id", String::schema())
                        .property("title", String::schema())
                        .property("publication", String::schema())
                        .property("published", String::schema())
                        .property("authors", ArrayBuilder::new().items(String::schema()))
                        .property("url", String::schema())
                        .required("text")
                        .build(),
                )))
                .build(),
        )
        .required(Some(Required::True))
        .build();
    let draft = write_operation(
        "create_draft",
        "Draft a bundle from an article's text, for review before it is stored",
    )
    .request_body(Some(body))
    .response(
        "200",
        ResponseBuilder::new()
            .description(
                "The draft (a valid bundle that accounts for every number of the text) and the \
                 review notes, each with a JSON pointer into the draft. Nothing is stored.",
            )
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("DraftResponse")))
                    .build(),
            ),
    )
    .response(
        "400",
        problem("The body is not JSON, or a field is missing, unknown or malformed; the detail names it."),
    )
    .response("413", problem("The body is over the limit."))
    .response("415", problem("The body is not application/json."));
    paths.path("/v1/drafts", PathItem::new(HttpMethod::Post, draft))
}

/// The metrics filters and `q`, which breakdowns and series read as the metrics list does.
fn with_metrics_filters(mut op: OperationBuilder) -> OperationBuilder {
    op = op.parameter(query_param(
        "q",
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .min_length(Some(1))
                .max_length(Some(MAX_QUERY_CHARS))
                .build(),
        )),
        "Text search, as on /v1/metrics.",
    ));
    for spec in read::metrics::METRICS.filters {
        op = op.parameter(filter_param(spec));
    }
    op
}

fn json_ok(description: &str, schema: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(schema)))
                .build(),
        )
        .build()
}

/// `/v1/metrics/breakdown` and `/v1/series`.
fn add_answers(paths: PathsBuilder) -> PathsBuilder {
    let by: Vec<&str> = read::answers::BY.iter().map(|b| b.name).collect();
    let breakdown = OperationBuilder::new()
        .summary(Some(
            "Count, sum, min and max of the selected metrics per group",
        ))
        .description(Some(
            "Groups every metric the filters select (the rows /v1/metrics lists for the same \
             filters, every page) by one or two fields. Sums are given only within one unit: a \
             request whose groups would mix units is a 400 saying which filter to add. A group \
             is `bounded` when any of its figures is not exact; a sum of \"more than\" figures \
             is a lower bound. Groups come in key order, missing values last.",
        ))
        .operation_id(Some("metrics_breakdown"))
        .tag("metrics")
        .parameter(
            ParameterBuilder::new()
                .name("by")
                .parameter_in(ParameterIn::Query)
                .required(Required::True)
                .description(Some(
                    "One or two fields to group by, repeated (`by=region&by=kind`) or joined by \
                     a comma.",
                ))
                .schema(Some(
                    ArrayBuilder::new()
                        .items(string_schema(Some(&by), "a field"))
                        .min_items(Some(1))
                        .max_items(Some(2)),
                ))
                .build(),
        )
        .parameter(query_param(
            "level",
            string_schema(Some(crate::bundle::model::REGION_LEVELS), "a region level"),
            "With by=region, groups each metric under its region's ancestor at this level \
             (each of them, for a zone within a zone); metrics of a region with none at this \
             level form the group whose region is null.",
        ));
    let breakdown = with_metrics_filters(breakdown)
        .response("200", json_ok("The groups.", "Breakdown"))
        .response(
            "400",
            problem(
                "A parameter is unknown or malformed, an id does not exist, or the groups would \
                 add up figures of different units; `errors` names the parameter.",
            ),
        );
    let series = OperationBuilder::new()
        .summary(Some("The selected metrics as time series"))
        .description(Some(
            "One series per indicator, subject, unit and region, each holding the selected \
             metrics that have a period, in time order (by `period_start`, then `kind`, `period_end` and id), \
             actuals and targets side by side. Metrics without a period are left out and \
             counted in `meta.without_period`. Series come in order of region, indicator, \
             subject and unit; pages hold at most `limit` series.",
        ))
        .operation_id(Some("series"))
        .tag("metrics")
        .parameter(query_param(
            "limit",
            RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::Integer))
                    .minimum(Some(1))
                    .maximum(Some(MAX_LIMIT))
                    .default(Some(DEFAULT_LIMIT.into()))
                    .build(),
            )),
            "Series per page.",
        ))
        .parameter(query_param(
            "cursor",
            string_schema(None, "opaque"),
            "The previous page's meta.next_cursor.",
        ));
    let series = with_metrics_filters(series)
        .response("200", json_ok("A page of series.", "SeriesList"))
        .response(
            "400",
            problem(
                "A parameter is unknown or malformed, or an id does not exist; `errors` names it.",
            ),
        );
    paths
        .path(
            "/v1/metrics/breakdown",
            PathItem::new(HttpMethod::Get, breakdown),
        )
        .path("/v1/series", PathItem::new(HttpMethod::Get, series))
}

/// A GET answering a page or an asset for browsers, whose body is not data.
fn page_operation(id: &str, summary: &str, description: &str, media: &str) -> PathItem {
    let op = OperationBuilder::new()
        .summary(Some(summary))
        .operation_id(Some(id))
        .description(Some(description))
        .response(
            "200",
            ResponseBuilder::new().description(summary).content(
                media,
                ContentBuilder::new().schema(Some(String::schema())).build(),
            ),
        );
    PathItem::new(HttpMethod::Get, op)
}

/// The pages for people: the API reference and the explorer with its two assets.
fn add_pages(paths: PathsBuilder) -> PathsBuilder {
    let explorer = page_operation(
        "explorer",
        "The explorer, for browsers",
        "Answers HTML when `Accept` prefers `text/html` over JSON (as browsers send it): search \
         with suggestions, the metrics table with its filters and their counts, charts of \
         breakdowns and series, and each number's article with its quote highlighted. The \
         state is in the query string, so a view can be shared. Any other `Accept` gets a 404 \
         problem pointing at the API. Assets come from this server only.",
        "text/html; charset=utf-8",
    );
    let mut explorer = explorer;
    if let Some(op) = explorer.get.as_mut() {
        op.responses.responses.insert(
            "404".into(),
            problem("`Accept` does not prefer HTML: the API is under /v1."),
        );
    }
    paths
        .path(
            "/docs",
            page_operation(
                "docs",
                "This reference as HTML",
                "Rendered on the server from this document, so it reads without JavaScript; \
                 each read route shows an example request with its real output, run against \
                 the data when the page is served.",
                "text/html; charset=utf-8",
            ),
        )
        .path("/", explorer)
        .path(
            "/explorer.js",
            page_operation(
                "explorer_script",
                "The explorer's script",
                "Compiled into the binary; revalidate with its ETag.",
                "text/javascript; charset=utf-8",
            ),
        )
        .path(
            "/explorer.css",
            page_operation(
                "explorer_style",
                "The explorer's style sheet",
                "Compiled into the binary; revalidate with its ETag.",
                "text/css; charset=utf-8",
            ),
        )
}

pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    paths = add_collection(
        paths,
        &read::regions::REGIONS,
        "Region",
        "Region",
        "Regions, from country down to industrial zones",
    );
    paths = add_collection(
        paths,
        &read::enterprises::ENTERPRISES,
        "Enterprise",
        "Enterprise",
        "Enterprises and institutions",
    );
    paths = add_collection(
        paths,
        &read::projects::PROJECTS,
        "Project",
        "Project",
        "Projects",
    );
    paths = add_collection(
        paths,
        &read::policies::POLICIES,
        "Policy",
        "Policy",
        "Policies, plans and measure packages",
    );
    paths = add_collection(
        paths,
        &read::indicators::INDICATORS,
        "Indicator",
        "Indicator",
        "The indicator vocabulary",
    );
    paths = add_collection(
        paths,
        &read::metrics::METRICS,
        "Metric",
        "Metric",
        "Numbers stated in the articles",
    );
    paths = add_collection(
        paths,
        &read::sources::SOURCES,
        "Source",
        "SourceDetail",
        "Articles",
    );
    let search = list_operation(
        &read::search::SEARCH,
        "Hit",
        "Search every collection (q is required)",
    )
    .operation_id(Some("search"))
    .description(Some(
        "Exact names and aliases rank first, then names containing the text, then any other \
         match. When the whole text is a region's name or alias, the metrics of that region and \
         every region below it are results too.",
    ));
    paths = paths.path("/v1/search", PathItem::new(HttpMethod::Get, search));
    paths = add_writes(paths);
    paths = add_drafts(paths);
    paths = add_answers(paths);
    let health = OperationBuilder::new()
        .summary(Some("200 when the service and its database answer"))
        .operation_id(Some("health"))
        .response(
            "200",
            ResponseBuilder::new()
                .description(
                    "The service answers. `{\"status\":\"ok\"}` when all is well; `degraded` \
                     with `writes: failing` when the last write failed for a reason that is not \
                     the client's (`reason` is its problem code, e.g. `storage-full`), until a \
                     write succeeds again. Reads are served either way.",
                )
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Schema::Object(
                            ObjectBuilder::new()
                                .property(
                                    "status",
                                    string_schema(Some(&["ok", "degraded"]), "ok, or degraded"),
                                )
                                .property(
                                    "writes",
                                    string_schema(
                                        Some(&["failing"]),
                                        "present when writes are failing",
                                    ),
                                )
                                .property(
                                    "reason",
                                    string_schema(
                                        Some(&["storage-full", "internal"]),
                                        "the problem code of the failed write",
                                    ),
                                )
                                .required("status")
                                .build(),
                        )))
                        .build(),
                ),
        )
        .response("500", problem("The database does not answer."));
    paths = paths.path("/health", PathItem::new(HttpMethod::Get, health));
    let spec = OperationBuilder::new()
        .summary(Some("This document"))
        .operation_id(Some("openapi"))
        .response(
            "200",
            ResponseBuilder::new()
                .description("OpenAPI 3.1 document.")
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Schema::Object(
                            ObjectBuilder::new()
                                .property("openapi", String::schema())
                                .required("openapi")
                                .required("info")
                                .required("paths")
                                .build(),
                        )))
                        .build(),
                ),
        );
    paths = paths.path("/openapi.json", PathItem::new(HttpMethod::Get, spec));
    paths = add_pages(paths);

    let components = ComponentsBuilder::new()
        .schema_from::<Region>()
        .schema_from::<Enterprise>()
        .schema_from::<Project>()
        .schema_from::<Policy>()
        .schema_from::<Indicator>()
        .schema_from::<Subject>()
        .schema_from::<Metric>()
        .schema_from::<Source>()
        .schema_from::<SourceDetail>()
        .schema_from::<Hit>()
        .schema_from::<super::answers::Label>()
        .schema_from::<super::answers::BreakdownGroup>()
        .schema_from::<super::answers::BreakdownMeta>()
        .schema_from::<super::answers::Breakdown>()
        .schema_from::<super::answers::SeriesPoint>()
        .schema_from::<super::answers::Series>()
        .schema_from::<super::answers::SeriesMeta>()
        .schema_from::<super::answers::SeriesList>()
        .schema_from::<crate::db::store::StoreSummary>()
        .schema_from::<super::drafts::DraftResponse>()
        .schema_from::<crate::extract::Note>()
        .security_scheme(
            "bearer",
            utoipa::openapi::security::SecurityScheme::Http(utoipa::openapi::security::Http::new(
                utoipa::openapi::security::HttpAuthScheme::Bearer,
            )),
        )
        .schema_from::<Problem>()
        .schema_from::<crate::error::ProblemItem>()
        .schema(
            crate::error::ParamProblem::name(),
            crate::error::ParamProblem::schema(),
        )
        .schema(
            crate::error::PointerProblem::name(),
            crate::error::PointerProblem::schema(),
        )
        .schema(
            crate::error::FieldChange::name(),
            crate::error::FieldChange::schema(),
        )
        .build();
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("industry-facts")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Facts about China's regional industrial policy (regions, enterprises, projects, policies \
                     and the numbers stated about them), each traced to the verbatim sentence it came from.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components))
        .build();
    add_common_responses(&mut doc);
    enumerate_units(&mut doc);
    doc
}

/// The unit fields of metrics and indicators take one of the codes the validator accepts;
/// the document lists them from the same table, so the two cannot disagree.
fn enumerate_units(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for name in ["Metric", "Indicator"] {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
            object.properties.insert(
                "unit".into(),
                string_schema(
                    Some(crate::bundle::model::UNITS),
                    "unit code: ISO 4217 for money, SI-style codes otherwise (docs/bundles.md)",
                ),
            );
        }
    }
}

fn header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(String::schema())
        .description(Some(description))
        .build()
}

/// What the middleware adds to every route: ETag and 304 on reads, the request id on
/// everything, and the problem body of a failure no handler chose.
fn add_common_responses(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let ops = [
            (true, &mut item.get),
            (false, &mut item.post),
            (false, &mut item.put),
            (false, &mut item.delete),
        ];
        for (is_get, op) in ops {
            let Some(op) = op else { continue };
            let responses = &mut op.responses.responses;
            for (status, response) in responses.iter_mut() {
                if let RefOr::T(r) = response {
                    r.headers.insert(
                        REQUEST_ID.to_string(),
                        header("Echoed when sent, else generated."),
                    );
                    if is_get && status == "200" {
                        r.headers.insert(
                            "ETag".into(),
                            header("Weak validator of the body; send it back in If-None-Match."),
                        );
                        if r.content.contains_key("text/csv") {
                            r.headers.insert(
                                "Link".into(),
                                header("<next page URL>; rel=\"next\" when there is a next page."),
                            );
                        }
                    }
                }
            }
            if is_get {
                responses.insert(
                    "304".into(),
                    ResponseBuilder::new()
                        .description("Not modified: If-None-Match matched the ETag. No body.")
                        .into(),
                );
            }
            responses.insert(
                "500".into(),
                problem("An internal error; the log has the request id."),
            );
            responses.entry("503".into()).or_insert_with(|| {
                problem(
                    "Overloaded (`overloaded`), or past the request deadline or the query budget \
                     (`timeout`); Retry-After says when to try again.",
                )
            });
        }
    }
}

pub async fn serve() -> Response {
    // Serialized once, in the document's own field order (openapi, info, paths, components).
    static DOC: OnceLock<String> = OnceLock::new();
    let doc = DOC.get_or_init(|| {
        document()
            .to_json()
            .expect("the OpenAPI document serializes")
    });
    ([(header::CONTENT_TYPE, "application/json")], doc.as_str()).into_response()
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::quantity::Unit;

    /// Every unit the parser can produce is documented wherever a unit is read or filtered on.
    #[test]
    fn unit_enums_list_every_unit_of_the_parser() {
        let doc: Value = serde_json::from_str(&super::document().to_json().unwrap()).unwrap();
        let codes: Vec<Value> = Unit::ALL.iter().map(|u| u.code().into()).collect();
        for schema in ["Metric", "Indicator"] {
            let listed = &doc["components"]["schemas"][schema]["properties"]["unit"]["enum"];
            assert_eq!(listed.as_array(), Some(&codes), "{schema}.unit");
        }
        for path in ["/v1/metrics", "/v1/indicators"] {
            let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
            let unit = params.iter().find(|p| p["name"] == "unit").unwrap();
            assert_eq!(unit["schema"]["enum"].as_array(), Some(&codes), "{path}");
        }
    }
}
