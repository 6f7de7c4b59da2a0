//! The calls of provisioning: settings, the SDK client, what each call did.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aws_sdk_opsworks::config::http::HttpResponse;
use aws_sdk_opsworks::config::retry::RetryConfig;
use aws_sdk_opsworks::config::timeout::TimeoutConfig;
use aws_sdk_opsworks::config::{BehaviorVersion, Region};
use aws_sdk_opsworks::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::report::visible;
use crate::runner::Credentials;

/// The longest part of an answer's body a [`Call`] keeps (in characters).
const ANSWER_EXCERPT: usize = 160;

/// How provisioning reaches the target: its endpoint, region and key, each call's timeout, and
/// what `CreateStack` needs besides a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionConfig {
    /// The endpoint (`http://host:port`).
    pub endpoint: String,
    /// The region calls are signed for, also the created stacks' `Region`.
    pub region: String,
    /// The key calls are signed with.
    pub credentials: Credentials,
    /// Each call's timeout, from building the request to the last byte of the answer.
    pub timeout: Duration,
    /// `CreateStack`'s `ServiceRoleArn` (an emulator takes any ARN; a live account needs a
    /// role that exists).
    pub service_role_arn: String,
    /// `CreateStack`'s `DefaultInstanceProfileArn` (same note).
    pub instance_profile_arn: String,
    /// The start of the names of what is created (stacks, layers, apps), unique per run by
    /// default (`opsworks-conformance-` and 8 hexadecimal digits).
    pub name_prefix: String,
    /// Once set, provisioning makes no further call ([`ProvisionConfig::with_stop`]).
    pub stop: Stop,
}

/// A flag that stops provisioning before its next call once it is set (the gate's Ctrl-C):
/// the calls made and the resources created so far come back in a [`ProvisionError`], to be
/// deleted. Two flags are equal when they are the same flag.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// A stop that `flag` sets.
    #[must_use]
    pub fn new(flag: Arc<AtomicBool>) -> Self {
        Stop(flag)
    }

    /// Whether the flag is set.
    #[must_use]
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl PartialEq for Stop {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Stop {}

impl ProvisionConfig {
    /// Settings for `endpoint`: region `us-east-1`, the key of the standard chain
    /// ([`Credentials::from_chain`]) or the fixed test key, a 5 s timeout per call, placeholder
    /// role ARNs of account `123456789012` (which emulators accept), a fresh name prefix.
    ///
    /// ```
    /// use opsworks_conformance::provision::ProvisionConfig;
    /// let config = ProvisionConfig::new("http://127.0.0.1:5000").with_region("eu-west-1");
    /// assert_eq!(config.region, "eu-west-1");
    /// assert!(config.name_prefix.starts_with("opsworks-conformance-"));
    /// ```
    #[must_use]
    pub fn new(endpoint: impl Into<String>) -> Self {
        let run = uuid::Uuid::new_v4().simple().to_string();
        ProvisionConfig {
            endpoint: endpoint.into(),
            region: "us-east-1".to_owned(),
            credentials: Credentials::from_chain()
                .ok()
                .flatten()
                .unwrap_or_else(Credentials::test_key),
            timeout: Duration::from_secs(5),
            service_role_arn: "arn:aws:iam::123456789012:role/aws-opsworks-service-role".to_owned(),
            instance_profile_arn:
                "arn:aws:iam::123456789012:instance-profile/aws-opsworks-ec2-role".to_owned(),
            name_prefix: format!("opsworks-conformance-{}", run.get(..8).unwrap_or(&run)),
            stop: Stop::default(),
        }
    }

    /// The same settings, stopped by `flag`: once it is set, no further call is made, and
    /// provisioning ends with a [`ProvisionError`] (`not sent: interrupted`) holding what was
    /// created until then.
    #[must_use]
    pub fn with_stop(mut self, flag: Arc<AtomicBool>) -> Self {
        self.stop = Stop::new(flag);
        self
    }

    /// The same settings for another region.
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// The same settings with another key.
    #[must_use]
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// The same settings with another timeout per call (at least 1 ms).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The SDK client: this endpoint, region and key, retries off (every call is one request),
    /// each call bounded by the timeout.
    pub(crate) fn client(&self) -> aws_sdk_opsworks::Client {
        let credentials = aws_sdk_opsworks::config::Credentials::new(
            self.credentials.access_key_id(),
            self.credentials.secret_access_key(),
            self.credentials.session_token().map(str::to_owned),
            None,
            "opsworks-conformance",
        );
        let config = aws_sdk_opsworks::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new(self.region.clone()))
            .credentials_provider(credentials)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(self.timeout)
                    .build(),
            )
            .http_client(crate::target::sdk_http_client())
            .build();
        aws_sdk_opsworks::Client::from_conf(config)
    }

    /// What an SDK error says the target answered, as one line: `HTTP 400
    /// ValidationException: message`, `HTTP 500, body "<!DOCTYPE ..."`, or `no answer: ...`.
    /// The key's secret and session token are cut out should the answer hold them.
    pub(crate) fn answer<E>(&self, error: &SdkError<E, HttpResponse>) -> String
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let text = match error.raw_response() {
            Some(raw) => {
                let status = raw.status().as_u16();
                let code = match error {
                    SdkError::ServiceError(context) => context.err().code(),
                    _ => None,
                };
                let message = match error {
                    SdkError::ServiceError(context) => context.err().message(),
                    _ => None,
                };
                match (code, message) {
                    (Some(code), Some(message)) => format!("HTTP {status} {code}: {message}"),
                    (Some(code), None) => format!("HTTP {status} {code}"),
                    _ if raw.status().is_success() => format!(
                        "HTTP {status} that aws-sdk-opsworks could not read ({})",
                        unreadable(error)
                    ),
                    _ => {
                        let body = raw
                            .body()
                            .bytes()
                            .map(String::from_utf8_lossy)
                            .unwrap_or_default();
                        let excerpt: String = body.chars().take(ANSWER_EXCERPT).collect();
                        let more = if body.chars().count() > ANSWER_EXCERPT {
                            "..."
                        } else {
                            ""
                        };
                        if body.is_empty() {
                            format!("HTTP {status}, an empty body")
                        } else {
                            format!("HTTP {status}, body {excerpt:?}{more}")
                        }
                    }
                }
            }
            None => format!("no answer: {}", DisplayErrorContext(error)),
        };
        let mut text = visible(&text);
        for secret in [
            Some(self.credentials.secret_access_key()),
            self.credentials.session_token(),
        ]
        .into_iter()
        .flatten()
        .filter(|secret| !secret.is_empty())
        {
            text = text.replace(secret, "<redacted>");
        }
        text
    }
}

/// Why aws-sdk-opsworks could not read an answer: the innermost cause the SDK gives (the
/// deserializer's message), without the outer layers.
pub(crate) fn unreadable<E, R>(error: &SdkError<E, R>) -> String
where
    E: std::error::Error + 'static,
    R: fmt::Debug,
{
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// What kind of resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    /// A stack.
    Stack,
    /// A layer of a stack.
    Layer,
    /// An app of a stack.
    App,
    /// An instance of a stack.
    Instance,
}

impl ResourceKind {
    /// The kind as reports spell it: `stack`, `layer`, `app`, `instance`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Stack => "stack",
            ResourceKind::Layer => "layer",
            ResourceKind::App => "app",
            ResourceKind::Instance => "instance",
        }
    }

    /// The operation that deletes a resource of this kind (`DeleteApp`, ...).
    #[must_use]
    pub const fn delete_operation(self) -> &'static str {
        match self {
            ResourceKind::Stack => "DeleteStack",
            ResourceKind::Layer => "DeleteLayer",
            ResourceKind::App => "DeleteApp",
            ResourceKind::Instance => "DeleteInstance",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource provisioning created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// What it is.
    pub kind: ResourceKind,
    /// Its id, as the target answered it.
    pub id: String,
    /// The stack it belongs to (a stack's own id for a stack).
    pub stack_id: String,
    /// The name it was given (an instance's is its layers', the target names it).
    pub name: String,
}

/// One call of provisioning, discovery or cleanup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The operation (`CreateStack`, `DescribeApps`, `DeleteLayer`, ...).
    pub operation: &'static str,
    /// The id of the resource it concerns: the one created, described (a stack for
    /// `Describe*`) or deleted; `None` for a creation that failed.
    pub id: Option<String>,
    /// What the target answered when the call failed (see [`ProvisionConfig`]'s error
    /// description); `None` when it succeeded.
    pub failure: Option<String>,
}

impl Call {
    /// Whether the call succeeded.
    #[must_use]
    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }
}

/// Why provisioning or discovery could not be done: the call that failed and what the target
/// answered, with every call made and every resource created until then (so that they can be
/// deleted, [`cleanup`](crate::provision::cleanup), or listed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {answer}")]
pub struct ProvisionError {
    /// The operation that failed, or that answered something the world cannot hold.
    pub operation: &'static str,
    /// What went wrong: `the target answered HTTP 500, body "..."` (as
    /// [`Call::failure`] has it), or why the call was not made.
    pub answer: String,
    /// Every call made, the failed one last.
    pub calls: Vec<Call>,
    /// The resources created before the failure, in the order of creation.
    pub created: Vec<Resource>,
}
