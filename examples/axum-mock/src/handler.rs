//! The HTTP side: the router, the awsJson1_1 headers, the answers.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use crate::store::{Deployment, State as StoreState, Store};
use crate::validate::{self, ApiError, Request};

/// The media type of awsJson1_1 requests and answers.
pub const CONTENT_TYPE_JSON11: &str = "application/x-amz-json-1.1";

/// The `X-Amz-Target` of the one operation the mock implements.
pub const TARGET: &str = "OpsWorks_20130218.CreateDeployment";

/// The mock as an axum `Router`: `POST /` answers CreateDeployment over the store; anything
/// else is an `UnknownOperationException`.
///
/// ```
/// let store = axum_mock::Store::new();
/// store.add_stack("s1");
/// let app: axum::Router = axum_mock::router(store.clone());
/// # let _ = app;
/// ```
pub fn router(store: Store) -> Router {
    Router::new()
        .route("/", post(create_deployment).fallback(not_an_operation))
        .fallback(not_an_operation)
        .with_state(store)
}

/// `POST /`: the headers, then the body, then the store.
async fn create_deployment(
    State(store): State<Store>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(error) = check_headers(&headers) {
        return error_response(error);
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            return error_response(ApiError::serialization(format!(
                "the request body could not be read: {rejection}"
            )));
        }
    };
    let request = match validate::parse(&body) {
        Ok(request) => request,
        Err(error) => return error_response(error),
    };
    match create(&store, request) {
        Ok(deployment_id) => answer(StatusCode::OK, json!({ "DeploymentId": deployment_id })),
        Err(error) => error_response(error),
    }
}

/// Every answer to another method or path.
async fn not_an_operation() -> Response {
    error_response(ApiError::unknown_operation("expected POST /"))
}

/// `X-Amz-Target` must name CreateDeployment (every copy of the header, if several), and the
/// body must be awsJson1_1 (parameters such as `charset=utf-8` allowed).
fn check_headers(headers: &HeaderMap) -> Result<(), ApiError> {
    let mut targets = headers.get_all("x-amz-target").iter().peekable();
    if targets.peek().is_none() {
        return Err(ApiError::unknown_operation("X-Amz-Target is missing"));
    }
    for target in targets {
        let target = target
            .to_str()
            .unwrap_or_default()
            .trim_matches([' ', '\t']);
        if target != TARGET {
            return Err(ApiError::unknown_operation(format!(
                "this mock implements only {TARGET}, not {target:?}"
            )));
        }
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let essence = content_type
        .and_then(|value| value.split(';').next())
        .unwrap_or_default();
    if !essence.trim().eq_ignore_ascii_case(CONTENT_TYPE_JSON11) {
        return Err(ApiError::serialization(format!(
            "expected Content-Type {CONTENT_TYPE_JSON11}"
        )));
    }
    Ok(())
}

/// Checks the request against the store and records the deployment. Every check runs before
/// the first change, under one lock: a rejected request changes nothing.
fn create(store: &Store, request: Request) -> Result<String, ApiError> {
    let mut state = store.lock();
    check_existence(&state, &request)?;
    if request.command == "rollback" {
        roll_back(&mut state, &request)?;
    }
    let deployment_id = uuid::Uuid::new_v4().to_string();
    state.deployments.push(Deployment {
        deployment_id: deployment_id.clone(),
        stack_id: request.stack_id,
        app_id: request.app_id,
        command: request.command.to_owned(),
        args: request.args,
        instance_ids: request.instance_ids,
        layer_ids: request.layer_ids,
        comment: request.comment,
        custom_json: request.custom_json,
    });
    Ok(deployment_id)
}

/// The stack, the app (for app commands), the instances and the layers must exist, in that
/// stack. Ids are compared exactly.
fn check_existence(state: &StoreState, request: &Request) -> Result<(), ApiError> {
    let stack_id = &request.stack_id;
    let stack = state
        .stacks
        .get(stack_id)
        .ok_or_else(|| ApiError::not_found(format!("Unable to find stack with ID {stack_id}")))?;
    if let Some(app_id) = request
        .app_id
        .as_ref()
        .filter(|id| !stack.apps.contains_key(*id))
    {
        return Err(ApiError::not_found(format!(
            "Unable to find app with ID {app_id} in stack {stack_id}"
        )));
    }
    if let Some(id) = request
        .instance_ids
        .iter()
        .find(|id| !stack.instances.contains_key(*id))
    {
        return Err(ApiError::not_found(format!(
            "Unable to find instance with ID {id} in stack {stack_id}"
        )));
    }
    if let Some(id) = request
        .layer_ids
        .iter()
        .find(|id| !stack.layers.contains(*id))
    {
        return Err(ApiError::not_found(format!(
            "Unable to find layer with ID {id} in stack {stack_id}"
        )));
    }
    Ok(())
}

/// A rollback drops the app's current version; it needs an earlier one.
fn roll_back(state: &mut StoreState, request: &Request) -> Result<(), ApiError> {
    let app = request
        .app_id
        .as_ref()
        .and_then(|app_id| {
            state
                .stacks
                .get_mut(&request.stack_id)?
                .apps
                .get_mut(app_id)
        })
        .ok_or_else(|| ApiError::not_found("Unable to find the app to roll back"))?;
    if app.versions.len() < 2 {
        return Err(ApiError::validation(
            "There is no earlier version of the app to roll back to",
        ));
    }
    app.versions.pop();
    Ok(())
}

/// An awsJson1_1 error answer: 400, `{"__type": .., "message": ..}`.
fn error_response(error: ApiError) -> Response {
    answer(
        StatusCode::BAD_REQUEST,
        json!({ "__type": error.code, "message": error.message }),
    )
}

/// A JSON answer with the awsJson1_1 content type.
fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    let content_type = [(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON11))];
    (status, content_type, body.to_string()).into_response()
}
