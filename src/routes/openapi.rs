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
use super::list::{DEFAULT_LIMIT, MAX_LIMIT, Resource};
use super::metrics::{Metric, Subject};
use super::params::{FilterKind, FilterSpec};
use super::policies::Policy;
use super::projects::Project;
use super::regions::Region;
use super::search::Hit;
use super::sources::{Source, SourceDetail};
use crate::error::Problem;
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

fn filter_param(spec: &FilterSpec) -> utoipa::openapi::path::Parameter {
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
    query_param(spec.name, schema, spec.doc)
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

fn list_operation<R: Resource>(item: &str, summary: &str) -> OperationBuilder {
    let sorts: Vec<String> = R::SORTS
        .iter()
        .flat_map(|s| [s.name.to_owned(), format!("-{}", s.name)])
        .collect();
    let sort_refs: Vec<&str> = sorts.iter().map(String::as_str).collect();
    let mut op = OperationBuilder::new()
        .summary(Some(summary))
        .operation_id(Some(format!("list_{}", R::COLLECTION)))
        .tag(R::COLLECTION)
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
            "Items per page.",
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
            string_schema(None, "text"),
            "Text search (Chinese or English).",
        ))
        .parameter(query_param(
            "format",
            string_schema(Some(&["json", "csv"]), "response format"),
            "csv returns the same rows with a header row (also Accept: text/csv).",
        ));
    for spec in R::FILTERS {
        op = op.parameter(filter_param(spec));
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

fn add_collection<R: Resource>(
    paths: PathsBuilder,
    item: &str,
    detail: &str,
    summary: &str,
) -> PathsBuilder {
    let get_one = OperationBuilder::new()
        .summary(Some(format!("One {} by id", R::NOUN)))
        .operation_id(Some(format!("get_{}", R::NOUN)))
        .tag(R::COLLECTION)
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
            format!("/v1/{}", R::COLLECTION),
            PathItem::new(HttpMethod::Get, list_operation::<R>(item, summary)),
        )
        .path(
            format!("/v1/{}/{{id}}", R::COLLECTION),
            PathItem::new(HttpMethod::Get, get_one),
        )
}

fn bundle_body() -> utoipa::openapi::request_body::RequestBody {
    utoipa::openapi::request_body::RequestBodyBuilder::new()
        .description(Some(
            "A bundle: one source with its full text and what was taken from it (docs/bundles.md).",
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

fn add_writes(paths: PathsBuilder) -> PathsBuilder {
    let create = write_operation("create_bundle", "Add a bundle")
        .request_body(Some(bundle_body()))
        .response("201", stored_response("Stored; Location names the source."))
        .response("400", problem("The body is not JSON."))
        .response("409", problem("The source is already stored."))
        .response("413", problem("The body is over the limit."))
        .response("415", problem("The body is not application/json."))
        .response(
            "422",
            problem("The bundle has problems, each with a JSON pointer; nothing was stored."),
        );
    let replace = write_operation(
        "replace_bundle",
        "Add or replace a source and its metrics, atomically",
    )
    .parameter(id_param("source_id"))
    .request_body(Some(bundle_body()))
    .response("200", stored_response("Replaced."))
    .response("201", stored_response("Added."))
    .response("400", problem("The body is not JSON."))
    .response("413", problem("The body is over the limit."))
    .response("415", problem("The body is not application/json."))
    .response(
        "422",
        problem("The bundle has problems, or names another source."),
    );
    let delete = write_operation(
        "delete_source",
        "Delete a source and its metrics; entities stay",
    )
    .parameter(id_param("id"))
    .response("204", ResponseBuilder::new().description("Deleted."))
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

pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    paths = add_collection::<Region>(
        paths,
        "Region",
        "Region",
        "Regions, from country down to industrial zones",
    );
    paths = add_collection::<Enterprise>(
        paths,
        "Enterprise",
        "Enterprise",
        "Enterprises and institutions",
    );
    paths = add_collection::<Project>(paths, "Project", "Project", "Projects");
    paths = add_collection::<Policy>(
        paths,
        "Policy",
        "Policy",
        "Policies, plans and measure packages",
    );
    paths =
        add_collection::<Indicator>(paths, "Indicator", "Indicator", "The indicator vocabulary");
    paths = add_collection::<Metric>(paths, "Metric", "Metric", "Numbers stated in the articles");
    paths = add_collection::<Source>(paths, "Source", "SourceDetail", "Articles");
    let search = list_operation::<Hit>("Hit", "Search every collection (q is required)")
        .operation_id(Some("search"));
    paths = paths.path("/v1/search", PathItem::new(HttpMethod::Get, search));
    paths = add_writes(paths);
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
    let page = OperationBuilder::new()
        .summary(Some("A readable page listing the routes of this document"))
        .operation_id(Some("docs"))
        .response(
            "200",
            ResponseBuilder::new().description("HTML page.").content(
                "text/html; charset=utf-8",
                ContentBuilder::new().schema(Some(String::schema())).build(),
            ),
        );
    paths = paths.path("/docs", PathItem::new(HttpMethod::Get, page));

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
        .schema_from::<crate::db::store::StoreSummary>()
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
    doc
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
                    "Overloaded, or past the request deadline; Retry-After says when to try again.",
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

/// A human-readable page over the same document, with no assets from elsewhere.
pub async fn docs() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        include_str!("assets/docs.html"),
    )
        .into_response()
}
