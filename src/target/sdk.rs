//! The gate's requests sent through aws-sdk-opsworks (feature `sdk`): [`SdkTarget`], and the SDK
//! glue the client gate's `SdkClient` shares.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_sdk_opsworks::config::interceptors::AfterDeserializationInterceptorContextRef;
use aws_sdk_opsworks::config::retry::RetryConfig;
use aws_sdk_opsworks::config::timeout::TimeoutConfig;
use aws_sdk_opsworks::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_opsworks::error::{BoxError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_opsworks::operation::create_deployment::CreateDeploymentError;
use aws_sdk_opsworks::types::{DeploymentCommand as SdkCommand, DeploymentCommandName};

use crate::contract::{
    CreateDeploymentInput, Observation, RawRequest, Response, TransportFailure,
    TransportFailureKind, wire,
};
use crate::oracle::CallerIdentity;
use crate::target::{BoxFuture, Target};
use crate::world::World;

/// The access key id an [`SdkTarget`] signs with when the world has no users (any key is
/// accepted then).
pub const SDK_TARGET_ACCESS_KEY_ID: &str = "AKIDSDKTARGET0000001";
/// The secret that goes with [`SDK_TARGET_ACCESS_KEY_ID`].
const SDK_TARGET_SECRET: &str = "opsworks-conformance-sdk-target";
/// The provider name recorded in the SDK's static credentials.
const PROVIDER: &str = "opsworks-conformance";

/// The timeout of each call unless [`SdkTarget::with_timeout`] says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// An aws-sdk-opsworks client for this endpoint, region and static credentials, with retries
/// disabled (every call is one request) and each call bounded by `timeout` when given.
pub(crate) fn sdk_client(
    endpoint: &str,
    region: &str,
    (access_key_id, secret_access_key): (&str, &str),
    timeout: Option<Duration>,
) -> aws_sdk_opsworks::Client {
    let timeouts = match timeout {
        Some(timeout) => TimeoutConfig::builder().operation_timeout(timeout).build(),
        None => TimeoutConfig::disabled(),
    };
    let config = aws_sdk_opsworks::Config::builder()
        .timeout_config(timeouts)
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(region.to_owned()))
        .credentials_provider(Credentials::new(
            access_key_id,
            secret_access_key,
            None,
            None,
            PROVIDER,
        ))
        .retry_config(RetryConfig::disabled())
        .http_client(sdk_http_client())
        .build();
    aws_sdk_opsworks::Client::from_conf(config)
}

/// The SDK's HTTP client: hyper without TLS, or with rustls on `ring` (feature `tls`). One per
/// SDK client: its connections belong to the runtime that made them.
pub(crate) fn sdk_http_client() -> aws_sdk_opsworks::config::SharedHttpClient {
    let builder = aws_smithy_http_client::Builder::new();
    #[cfg(feature = "tls")]
    let client = builder
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    #[cfg(not(feature = "tls"))]
    let client = builder.build_http();
    client
}

/// What the SDK made of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SdkResult {
    /// The SDK refused to build the request (nothing was sent).
    NotBuilt(String),
    /// Success, with the `DeploymentId` the SDK read.
    Success(Option<String>),
    /// A service error: the code the SDK reports (the modelled variant, or the unhandled
    /// variant's `code()`) and its message.
    ServiceError {
        /// The code, if the SDK found one.
        code: Option<String>,
        /// The message, if any.
        message: Option<String>,
    },
    /// No usable response: the kind of failure and the SDK's message.
    Failed(TransportFailureKind, String),
}

/// One call through the SDK: its result, and the HTTP response it received (if any).
#[derive(Debug, Clone)]
pub(crate) struct SdkCall {
    /// What the SDK reports.
    pub(crate) result: SdkResult,
    /// The response as received (status, headers, body), captured by an interceptor.
    pub(crate) raw: Option<Observation>,
}

/// Records the HTTP response the SDK deserialised.
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Option<Observation>>>);

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "opsworks-conformance-capture"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        if let Some(body) = response.body().bytes() {
            let observation = Observation {
                status: response.status().as_u16(),
                headers: response
                    .headers()
                    .iter()
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .collect(),
                body: body.to_vec(),
            };
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(observation);
        }
        Ok(())
    }
}

/// Makes the call for `input` with the SDK, as a user of the SDK would: every member that is
/// set is passed to the fluent builder; a `Command` without a name cannot be built.
pub(crate) async fn sdk_send(
    client: &aws_sdk_opsworks::Client,
    input: &CreateDeploymentInput,
) -> SdkCall {
    let command = match &input.command {
        None => None,
        Some(command) => {
            let builder = SdkCommand::builder()
                .set_name(command.name.as_deref().map(DeploymentCommandName::from))
                .set_args(command.args.as_ref().map(|args| {
                    args.iter()
                        .map(|(name, values)| (name.clone(), values.clone()))
                        .collect::<HashMap<_, _>>()
                }));
            match builder.build() {
                Ok(command) => Some(command),
                Err(error) => {
                    return SdkCall {
                        result: SdkResult::NotBuilt(format!(
                            "aws-sdk-opsworks refused to build the request: {}",
                            DisplayErrorContext(&error)
                        )),
                        raw: None,
                    };
                }
            }
        }
    };
    let capture = Capture::default();
    let result = client
        .create_deployment()
        .set_stack_id(input.stack_id.clone())
        .set_app_id(input.app_id.clone())
        .set_instance_ids(input.instance_ids.clone())
        .set_layer_ids(input.layer_ids.clone())
        .set_command(command)
        .set_comment(input.comment.clone())
        .set_custom_json(input.custom_json.clone())
        .customize()
        .interceptor(capture.clone())
        .send()
        .await;
    let result = match result {
        Ok(output) => SdkResult::Success(output.deployment_id().map(str::to_owned)),
        Err(SdkError::ServiceError(context)) => {
            let error = context.err();
            let (code, message) = match error {
                CreateDeploymentError::ValidationException(inner) => (
                    Some("ValidationException".to_owned()),
                    inner.message().map(str::to_owned),
                ),
                CreateDeploymentError::ResourceNotFoundException(inner) => (
                    Some("ResourceNotFoundException".to_owned()),
                    inner.message().map(str::to_owned),
                ),
                other => (
                    other.code().map(str::to_owned),
                    other.message().map(str::to_owned),
                ),
            };
            SdkResult::ServiceError { code, message }
        }
        Err(error @ SdkError::ConstructionFailure(_)) => SdkResult::NotBuilt(format!(
            "aws-sdk-opsworks refused to build the request: {}",
            DisplayErrorContext(&error)
        )),
        Err(error @ SdkError::TimeoutError(_)) => SdkResult::Failed(
            TransportFailureKind::Timeout,
            DisplayErrorContext(&error).to_string(),
        ),
        Err(error @ SdkError::ResponseError(_)) => SdkResult::Failed(
            TransportFailureKind::Unparsable,
            DisplayErrorContext(&error).to_string(),
        ),
        Err(error) => {
            let message = DisplayErrorContext(&error).to_string();
            let kind = if message.contains("Connection refused") {
                TransportFailureKind::Refused
            } else {
                TransportFailureKind::Other
            };
            SdkResult::Failed(kind, message)
        }
    };
    let raw = capture
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    SdkCall { result, raw }
}

/// Why an [`SdkTarget`] could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "endpoint URL {url:?}: expected an absolute http:// or https:// URL with a host, found {found}"
)]
pub struct SdkTargetError {
    /// The URL as given.
    pub url: String,
    /// What is wrong with it.
    pub found: String,
}

/// A [`Target`] that sends every case through aws-sdk-opsworks, for users who want the real
/// SDK on the wire (`opsworks-conformance run --via sdk`).
///
/// The SDK can only send what its typed API can say. A case is sent when its raw request is
/// exactly the canonical serialisation of a typed request ([`CreateDeploymentInput::to_json`])
/// with the two standard headers (plus the signature's `Host`, `X-Amz-Date`, `Authorization`),
/// its `Command` (if any) has a name, and it is signed correctly by a user of the world (or
/// in a world without users, signed or not; the SDK then signs with a made-up key, which such a
/// world accepts). Every other case (wrong JSON types, nulls, malformed bodies, other headers,
/// missing or bad signatures) makes [`Target::can_send`] answer `false`, and the runner reports the
/// rules only such cases exercise as not applicable.
///
/// The observation handed to the oracle is the HTTP response the SDK received (captured by an
/// interceptor), so the oracle judges the same bytes the SDK read; without one (a transport
/// failure), the SDK's error becomes the [`TransportFailure`].
///
/// The region must be the run's region (`RunConfig::region`): signatures are checked for it.
pub struct SdkTarget {
    endpoint: String,
    authority: String,
    region: String,
    users: World,
    timeout: Duration,
    clients: Mutex<HashMap<String, aws_sdk_opsworks::Client>>,
}

impl std::fmt::Debug for SdkTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SdkTarget")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// What the SDK would be asked to do for one raw request.
struct Plan {
    input: CreateDeploymentInput,
    access_key_id: String,
    secret_access_key: String,
}

impl SdkTarget {
    /// A target sending to `endpoint` (`http://host:port`) through aws-sdk-opsworks, signing as
    /// the users of `world` for `region`.
    ///
    /// # Errors
    /// When `endpoint` is not an absolute `http://` or `https://` URL with a host.
    pub fn new(
        endpoint: &str,
        world: &World,
        region: impl Into<String>,
    ) -> Result<Self, SdkTargetError> {
        let invalid = |found: String| SdkTargetError {
            url: endpoint.to_owned(),
            found,
        };
        let (host, port, _) =
            crate::target::url::parse_http_url(endpoint.trim()).map_err(invalid)?;
        Ok(SdkTarget {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            authority: format!("{host}:{port}"),
            region: region.into(),
            users: World {
                stacks: Vec::new(),
                users: world.users.clone(),
            },
            timeout: DEFAULT_TIMEOUT,
            clients: Mutex::new(HashMap::new()),
        })
    }

    /// The same target with each call bounded by `timeout` (5 s by default, as
    /// [`HttpTargetOptions`](crate::target::HttpTargetOptions)), from building the request to
    /// the last byte of the answer; over it the call fails with
    /// [`TransportFailureKind::Timeout`]. At least 1 ms.
    ///
    /// ```
    /// use std::time::Duration;
    /// use opsworks_conformance::target::SdkTarget;
    /// use opsworks_conformance::world::World;
    /// let target = SdkTarget::new("http://127.0.0.1:9", &World::bundled(), "us-east-1")
    ///     .unwrap()
    ///     .with_timeout(Duration::from_millis(500));
    /// assert_eq!(target.timeout(), Duration::from_millis(500));
    /// ```
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        // Clients made before carry the old timeout.
        self.clients
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self
    }

    /// The timeout of each call.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The typed request and credentials for a raw request, or `None` when the SDK cannot
    /// express it.
    fn plan(&self, request: &RawRequest) -> Option<Plan> {
        let input: CreateDeploymentInput = serde_json::from_slice(&request.body).ok()?;
        if input.to_json().as_bytes() != request.body.as_slice() {
            return None;
        }
        if input
            .command
            .as_ref()
            .is_some_and(|command| command.name.is_none())
        {
            return None;
        }
        let (mut content_types, mut targets) = (0usize, 0usize);
        for (name, value) in &request.headers {
            if name.eq_ignore_ascii_case("content-type") && value == wire::CONTENT_TYPE {
                content_types += 1;
            } else if name.eq_ignore_ascii_case(wire::TARGET_HEADER) && value == wire::TARGET_VALUE
            {
                targets += 1;
            } else if ![
                "host",
                "authorization",
                "x-amz-date",
                "x-amz-security-token",
            ]
            .contains(&name.to_ascii_lowercase().as_str())
            {
                return None;
            }
        }
        if content_types != 1 || targets != 1 {
            return None;
        }
        let (access_key_id, secret_access_key) = match request.header("Authorization") {
            // A world without users takes any signature (the run signs by default): the SDK
            // signs with its own made-up key.
            _ if !self.users.has_users() => (
                SDK_TARGET_ACCESS_KEY_ID.to_owned(),
                SDK_TARGET_SECRET.to_owned(),
            ),
            None => return None,
            Some(_) => match crate::sigv4::verify(request, &self.users, &self.region) {
                CallerIdentity::Verified(key) => {
                    let secret = self.users.user(&key)?.secret_access_key.clone();
                    (key, secret)
                }
                _ => return None,
            },
        };
        Some(Plan {
            input,
            access_key_id,
            secret_access_key,
        })
    }

    /// The SDK client for one access key (made once, then reused).
    fn client_for(&self, access_key_id: &str, secret_access_key: &str) -> aws_sdk_opsworks::Client {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        clients
            .entry(access_key_id.to_owned())
            .or_insert_with(|| {
                sdk_client(
                    &self.endpoint,
                    &self.region,
                    (access_key_id, secret_access_key),
                    Some(self.timeout),
                )
            })
            .clone()
    }

    async fn exchange(&self, request: &RawRequest) -> Response {
        let Some(plan) = self.plan(request) else {
            return Err(TransportFailure::new(
                TransportFailureKind::Other,
                "aws-sdk-opsworks cannot express this request (not sent)",
            ));
        };
        let client = self.client_for(&plan.access_key_id, &plan.secret_access_key);
        let call = sdk_send(&client, &plan.input).await;
        if let Some(raw) = call.raw {
            return Ok(raw);
        }
        match call.result {
            SdkResult::Success(id) => Ok(Observation::json(
                200,
                serde_json::json!({ "DeploymentId": id }).to_string(),
            )),
            SdkResult::ServiceError { code, message } => Ok(Observation::json(
                400,
                serde_json::json!({ "__type": code, "message": message }).to_string(),
            )),
            SdkResult::NotBuilt(message) => {
                Err(TransportFailure::new(TransportFailureKind::Other, message))
            }
            SdkResult::Failed(kind, message) => Err(TransportFailure::new(kind, message)),
        }
    }
}

impl Target for SdkTarget {
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        Box::pin(self.exchange(request))
    }

    fn describe(&self) -> String {
        format!("aws-sdk-opsworks to {}", self.endpoint)
    }

    fn authority(&self) -> String {
        self.authority.clone()
    }

    /// Whether the SDK can express the request (see [`SdkTarget`]).
    fn can_send(&self, request: &RawRequest) -> bool {
        self.plan(request).is_some()
    }
}
