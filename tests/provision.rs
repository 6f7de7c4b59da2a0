//! Provisioning (`run --provision`, `--cleanup`, `--discover`, `--world-out`) against a fake
//! OpsWorks that keeps stacks, layers, apps and instances, written here: it implements the
//! Create*, Describe* and Delete* operations as OpsWorks documents them (a layer with an
//! instance, or a stack with anything in it, cannot be deleted), verifies every signature, can
//! be told to refuse an operation, and answers CreateDeployment as the reference
//! implementation of its current world. moto (tests/moto.rs) has no Delete*; this covers the
//! deletion path.
#![cfg(feature = "sdk")]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opsworks_conformance::contract::RawRequest;
use opsworks_conformance::oracle::CallerIdentity;
use opsworks_conformance::provision::{
    ProvisionConfig, ResourceKind, StackPlan, WorldPlan, cleanup, discover, provision,
    provision_plan,
};
use opsworks_conformance::runner::Credentials;
use opsworks_conformance::target::ReferenceTarget;
use opsworks_conformance::world::{App, AppType, Instance, Layer, Stack, World};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

const KEY: &str = "AKIDPROVISIONTEST001";
const SECRET: &str = "provision-test-secret-0123456789";
const PREFIX: &str = "OpsWorks_20130218.";

/// One request the fake received.
#[derive(Debug, Clone)]
struct Received {
    /// The operation (`CreateStack`, ...; the whole `X-Amz-Target` when not OpsWorks').
    operation: String,
    /// The access key id of a signature that verified with [`SECRET`], else `None`.
    verified_key: Option<String>,
}

#[derive(Default)]
struct State {
    stacks: Vec<(String, String)>,
    /// (id, stack, name)
    layers: Vec<(String, String, String)>,
    /// (id, stack, name, type)
    apps: Vec<(String, String, String, String)>,
    /// (id, stack, layers)
    instances: Vec<(String, String, Vec<String>)>,
    received: Vec<Received>,
    /// Operations answered with this status and body instead.
    refused: HashMap<String, (u16, Value)>,
    /// The reference implementation of the world as it was at the last change.
    reference: Option<ReferenceTarget>,
    /// A flag set when this operation is received (a Ctrl-C while it is in flight).
    interrupt_on: Option<(String, Arc<AtomicBool>)>,
    /// How long each Create* call takes to be answered.
    slow_creation: Option<Duration>,
}

impl State {
    fn world(&self) -> World {
        World {
            stacks: self
                .stacks
                .iter()
                .map(|(stack_id, _)| Stack {
                    stack_id: stack_id.clone(),
                    apps: self
                        .apps
                        .iter()
                        .filter(|app| &app.1 == stack_id)
                        .map(|app| App {
                            app_id: app.0.clone(),
                            app_type: serde_json::from_value(json!(app.3)).expect("a known type"),
                            versions: 1,
                        })
                        .collect(),
                    layers: self
                        .layers
                        .iter()
                        .filter(|layer| &layer.1 == stack_id)
                        .map(|layer| Layer {
                            layer_id: layer.0.clone(),
                        })
                        .collect(),
                    instances: self
                        .instances
                        .iter()
                        .filter(|instance| &instance.1 == stack_id)
                        .map(|instance| Instance {
                            instance_id: instance.0.clone(),
                            layer_ids: instance.2.clone(),
                        })
                        .collect(),
                })
                .collect(),
            users: Vec::new(),
        }
    }

    fn has_stack(&self, id: &str) -> bool {
        self.stacks.iter().any(|stack| stack.0 == id)
    }
}

/// The fake OpsWorks.
#[derive(Clone, Default)]
struct Fake(Arc<Mutex<State>>);

fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("Content-Type", "application/x-amz-json-1.1")
        .set_body_bytes(json!({ "__type": code, "message": message }).to_string())
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("Content-Type", "application/x-amz-json-1.1")
        .set_body_bytes(body.to_string())
}

fn text(body: &Value, member: &str) -> String {
    body.get(member)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

impl Fake {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn start() -> (Fake, MockServer) {
        let fake = Fake::default();
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::method("POST"))
            .respond_with(fake.clone())
            .mount(&server)
            .await;
        (fake, server)
    }

    fn refuse(&self, operation: &str, status: u16, body: Value) {
        self.state()
            .refused
            .insert(operation.to_owned(), (status, body));
    }

    /// The operations received, OpsWorks' by their short name.
    fn operations(&self) -> Vec<String> {
        self.state()
            .received
            .iter()
            .map(|received| received.operation.clone())
            .collect()
    }
}

impl Respond for Fake {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let answer = self.answer(request);
        let state = self.state();
        let operation = state
            .received
            .last()
            .map(|received| received.operation.clone())
            .unwrap_or_default();
        if let Some((interrupting, flag)) = &state.interrupt_on {
            if *interrupting == operation {
                flag.store(true, Ordering::SeqCst);
            }
        }
        match state.slow_creation {
            Some(delay) if operation.starts_with("Create") && operation != "CreateDeployment" => {
                answer.set_delay(delay)
            }
            _ => answer,
        }
    }
}

impl Fake {
    fn answer(&self, request: &Request) -> ResponseTemplate {
        let raw = RawRequest {
            headers: request
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: request.body.clone(),
        };
        let target = raw.header("X-Amz-Target").unwrap_or("-").to_owned();
        let operation = target.strip_prefix(PREFIX).unwrap_or(&target).to_owned();
        let signer = World::from_json(&format!(
            r#"{{"Users": [{{"AccessKeyId": "{KEY}", "SecretAccessKey": "{SECRET}"}}]}}"#
        ))
        .expect("a world of one user");
        let verified_key = match opsworks_conformance::sigv4::verify(&raw, &signer, "us-east-1") {
            CallerIdentity::Verified(key) => Some(key),
            _ => None,
        };
        let mut state = self.state();
        state.received.push(Received {
            operation: operation.clone(),
            verified_key,
        });
        if let Some((status, body)) = state.refused.get(&operation) {
            return ResponseTemplate::new(*status)
                .insert_header("Content-Type", "application/x-amz-json-1.1")
                .set_body_bytes(body.to_string());
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let new_id = || uuid::Uuid::new_v4().to_string();
        let stack_id = text(&body, "StackId");
        let changed = operation.starts_with("Create") && operation != "CreateDeployment"
            || operation.starts_with("Delete");
        if changed {
            state.reference = None;
        }
        match operation.as_str() {
            "CreateStack" => {
                let id = new_id();
                state.stacks.push((id.clone(), text(&body, "Name")));
                ok(json!({ "StackId": id }))
            }
            "CreateLayer" | "CreateApp" | "CreateInstance" if !state.has_stack(&stack_id) => {
                error(400, "ResourceNotFoundException", "Unable to find stack")
            }
            "CreateLayer" => {
                let id = new_id();
                state
                    .layers
                    .push((id.clone(), stack_id, text(&body, "Name")));
                ok(json!({ "LayerId": id }))
            }
            "CreateApp" => {
                let id = new_id();
                state.apps.push((
                    id.clone(),
                    stack_id,
                    text(&body, "Name"),
                    text(&body, "Type"),
                ));
                ok(json!({ "AppId": id }))
            }
            "CreateInstance" => {
                let layer_ids: Vec<String> =
                    serde_json::from_value(body["LayerIds"].clone()).unwrap_or_default();
                if layer_ids.is_empty()
                    || !layer_ids.iter().all(|layer| {
                        state
                            .layers
                            .iter()
                            .any(|known| &known.0 == layer && known.1 == stack_id)
                    })
                {
                    return error(400, "ValidationException", "LayerIds of the stack required");
                }
                let id = new_id();
                state.instances.push((id.clone(), stack_id, layer_ids));
                ok(json!({ "InstanceId": id }))
            }
            "DescribeStacks" => {
                let ids: Vec<String> =
                    serde_json::from_value(body["StackIds"].clone()).unwrap_or_default();
                if let Some(missing) = ids.iter().find(|id| !state.has_stack(id)) {
                    return error(
                        400,
                        "ResourceNotFoundException",
                        &format!("no stack {missing}"),
                    );
                }
                let stacks: Vec<Value> = state
                    .stacks
                    .iter()
                    .filter(|stack| ids.is_empty() || ids.contains(&stack.0))
                    .map(|stack| json!({ "StackId": stack.0, "Name": stack.1 }))
                    .collect();
                ok(json!({ "Stacks": stacks }))
            }
            "DescribeApps" => ok(
                json!({ "Apps": state.apps.iter().filter(|app| app.1 == stack_id)
                .map(|app| json!({ "AppId": app.0, "StackId": app.1, "Name": app.2, "Type": app.3 }))
                .collect::<Vec<_>>() }),
            ),
            "DescribeLayers" => ok(
                json!({ "Layers": state.layers.iter().filter(|layer| layer.1 == stack_id)
                .map(|layer| json!({ "LayerId": layer.0, "StackId": layer.1, "Name": layer.2, "Type": "custom" }))
                .collect::<Vec<_>>() }),
            ),
            "DescribeInstances" => ok(
                json!({ "Instances": state.instances.iter().filter(|instance| instance.1 == stack_id)
                .map(|instance| json!({ "InstanceId": instance.0, "StackId": instance.1, "LayerIds": instance.2 }))
                .collect::<Vec<_>>() }),
            ),
            "DeleteApp" => {
                let id = text(&body, "AppId");
                let before = state.apps.len();
                state.apps.retain(|app| app.0 != id);
                if state.apps.len() == before {
                    return error(400, "ResourceNotFoundException", "no such app");
                }
                ok(json!({}))
            }
            "DeleteInstance" => {
                let id = text(&body, "InstanceId");
                let before = state.instances.len();
                state.instances.retain(|instance| instance.0 != id);
                if state.instances.len() == before {
                    return error(400, "ResourceNotFoundException", "no such instance");
                }
                ok(json!({}))
            }
            "DeleteLayer" => {
                let id = text(&body, "LayerId");
                if state
                    .instances
                    .iter()
                    .any(|instance| instance.2.contains(&id))
                {
                    return error(400, "ValidationException", "the layer has instances");
                }
                let before = state.layers.len();
                state.layers.retain(|layer| layer.0 != id);
                if state.layers.len() == before {
                    return error(400, "ResourceNotFoundException", "no such layer");
                }
                ok(json!({}))
            }
            "DeleteStack" => {
                if state.apps.iter().any(|app| app.1 == stack_id)
                    || state.layers.iter().any(|layer| layer.1 == stack_id)
                    || state
                        .instances
                        .iter()
                        .any(|instance| instance.1 == stack_id)
                {
                    return error(400, "ValidationException", "the stack is not empty");
                }
                let before = state.stacks.len();
                state.stacks.retain(|stack| stack.0 != stack_id);
                if state.stacks.len() == before {
                    return error(400, "ResourceNotFoundException", "no such stack");
                }
                ok(json!({}))
            }
            _ => {
                // CreateDeployment and everything else: the reference implementation of the
                // world as it is now (kept while the world does not change, so that its
                // rollbacks count).
                let world = state.world();
                let reference = state
                    .reference
                    .get_or_insert_with(|| ReferenceTarget::new(world));
                let answer = reference.answer_request(&raw);
                let mut template = ResponseTemplate::new(answer.status).set_body_bytes(answer.body);
                for (name, value) in answer.headers {
                    template = template.insert_header(name.as_str(), value.as_str());
                }
                template
            }
        }
    }
}

fn config(server: &MockServer) -> ProvisionConfig {
    ProvisionConfig::new(server.uri()).with_credentials(Credentials::new(KEY, SECRET))
}

#[tokio::test]
async fn provision_creates_the_world_and_cleanup_deletes_exactly_it_in_order() {
    let (fake, server) = Fake::start().await;
    // A stack the gate did not create, which it must leave alone.
    fake.state()
        .stacks
        .push(("someone-elses-stack".to_owned(), "theirs".to_owned()));
    let config = config(&server);
    let provisioned = provision(&config).await.expect("the fake provisions");

    // The world is what the fake holds (the other stack aside), in canonical order.
    let mut held = fake.state().world();
    held.stacks
        .retain(|stack| stack.stack_id != "someone-elses-stack");
    for stack in &mut held.stacks {
        stack.apps.sort_by(|a, b| a.app_id.cmp(&b.app_id));
        stack.layers.sort_by(|a, b| a.layer_id.cmp(&b.layer_id));
        stack
            .instances
            .sort_by(|a, b| a.instance_id.cmp(&b.instance_id));
        for instance in &mut stack.instances {
            instance.layer_ids.sort();
        }
    }
    assert_eq!(provisioned.world, held);
    assert_eq!(provisioned.world.stacks.len(), 3);
    for app_type in AppType::ALL {
        assert!(
            provisioned
                .world
                .stacks
                .iter()
                .flat_map(|stack| &stack.apps)
                .any(|app| app.app_type == app_type),
            "{app_type}"
        );
    }
    assert_eq!(provisioned.created.len(), WorldPlan::default().calls());
    assert_eq!(provisioned.calls.len(), provisioned.created.len());
    assert!(provisioned.calls.iter().all(|call| call.ok()));
    // Every call was signed with the configured key.
    let received = fake.state().received.clone();
    assert!(
        received
            .iter()
            .all(|received| received.verified_key.as_deref() == Some(KEY)),
        "{received:?}"
    );
    // Names carry the run's prefix.
    assert!(
        fake.state()
            .apps
            .iter()
            .all(|app| app.2.starts_with(&config.name_prefix))
    );

    let cleaned = cleanup(&config, &provisioned.created).await;
    assert!(cleaned.remaining.is_empty(), "{:?}", cleaned.remaining);
    assert_eq!(cleaned.deleted.len(), provisioned.created.len());
    let state = fake.state();
    assert_eq!(
        state.stacks,
        [("someone-elses-stack".to_owned(), "theirs".to_owned())]
    );
    assert!(state.layers.is_empty() && state.apps.is_empty() && state.instances.is_empty());
    // Apps, then instances, then layers, then stacks; each created resource deleted once.
    let deletions: Vec<&str> = state
        .received
        .iter()
        .map(|received| received.operation.as_str())
        .filter(|operation| operation.starts_with("Delete"))
        .collect();
    let mut sorted = deletions.clone();
    let rank = |operation: &&str| {
        ["DeleteApp", "DeleteInstance", "DeleteLayer", "DeleteStack"]
            .iter()
            .position(|known| known == operation)
    };
    sorted.sort_by_key(rank);
    assert_eq!(deletions, sorted);
    assert_eq!(deletions.len(), provisioned.created.len());
}

#[tokio::test]
async fn what_the_target_cannot_delete_is_listed_with_its_answer_and_its_stack_waits() {
    let (fake, server) = Fake::start().await;
    let config = config(&server);
    let plan = WorldPlan {
        stacks: vec![
            StackPlan {
                layers: 2,
                apps: vec![AppType::Php],
                instances: vec![vec![0]],
            },
            StackPlan {
                layers: 1,
                apps: vec![AppType::Rails],
                instances: Vec::new(),
            },
        ],
    };
    let provisioned = provision_plan(&config, &plan).await.expect("provisioned");
    fake.refuse(
        "DeleteInstance",
        400,
        json!({"__type": "ValidationException", "message": "stop the instance first"}),
    );
    let cleaned = cleanup(&config, &provisioned.created).await;
    let first = &provisioned.world.stacks[0].stack_id;
    // Stack 0: the instance is left, so its layers and the stack are not asked for; stack 1
    // is deleted whole.
    let left: Vec<(ResourceKind, &str)> = cleaned
        .remaining
        .iter()
        .map(|remaining| (remaining.resource.kind, remaining.reason.as_str()))
        .collect();
    assert_eq!(
        left,
        [
            (
                ResourceKind::Stack,
                "DeleteStack not sent: an instance of its stack is left"
            ),
            (
                ResourceKind::Layer,
                "DeleteLayer not sent: an instance of its stack is left"
            ),
            (
                ResourceKind::Layer,
                "DeleteLayer not sent: an instance of its stack is left"
            ),
            (
                ResourceKind::Instance,
                "DeleteInstance: HTTP 400 ValidationException: stop the instance first"
            ),
        ]
    );
    assert!(
        cleaned
            .remaining
            .iter()
            .all(|remaining| &remaining.resource.stack_id == first)
    );
    let state = fake.state();
    assert_eq!(state.stacks.len(), 1);
    assert_eq!(state.apps.len(), 0, "the apps were deleted");
    let sent: Vec<&str> = cleaned.calls.iter().map(|call| call.operation).collect();
    assert_eq!(
        sent,
        [
            "DeleteApp",
            "DeleteApp",
            "DeleteInstance",
            "DeleteLayer",
            "DeleteStack"
        ]
    );
}

#[tokio::test]
async fn a_refused_creation_names_the_call_and_the_answer_and_keeps_what_was_created() {
    let (fake, server) = Fake::start().await;
    fake.refuse(
        "CreateApp",
        400,
        json!({"__type": "ValidationException", "message": "app type not supported here"}),
    );
    let config = config(&server);
    let error = provision(&config).await.expect_err("CreateApp is refused");
    assert_eq!(error.operation, "CreateApp");
    assert_eq!(
        error.to_string(),
        "CreateApp: the target answered HTTP 400 ValidationException: app type not supported here"
    );
    // The first stack and its three layers were created before.
    let kinds: Vec<ResourceKind> = error.created.iter().map(|resource| resource.kind).collect();
    assert_eq!(
        kinds,
        [
            ResourceKind::Stack,
            ResourceKind::Layer,
            ResourceKind::Layer,
            ResourceKind::Layer
        ]
    );
    assert_eq!(error.calls.last().map(|call| call.ok()), Some(false));
    let cleaned = cleanup(&config, &error.created).await;
    assert!(cleaned.remaining.is_empty());
    assert!(fake.state().stacks.is_empty());
}

/// A stop flag set while CreateApp is in flight (the gate's Ctrl-C): that call's answer is
/// kept, no further call is made, and the error holds everything created, which cleanup
/// deletes.
#[tokio::test]
async fn a_stop_during_provisioning_makes_no_further_call_and_keeps_what_was_created() {
    let (fake, server) = Fake::start().await;
    let stop = Arc::new(AtomicBool::new(false));
    fake.state().interrupt_on = Some(("CreateApp".to_owned(), Arc::clone(&stop)));
    let config = config(&server).with_stop(Arc::clone(&stop));
    let error = provision(&config).await.expect_err("stopped");
    assert_eq!(error.to_string(), "CreateApp: not sent: interrupted");
    let kinds: Vec<ResourceKind> = error.created.iter().map(|resource| resource.kind).collect();
    assert_eq!(
        kinds,
        [
            ResourceKind::Stack,
            ResourceKind::Layer,
            ResourceKind::Layer,
            ResourceKind::Layer,
            ResourceKind::App
        ]
    );
    assert_eq!(
        fake.operations(),
        [
            "CreateStack",
            "CreateLayer",
            "CreateLayer",
            "CreateLayer",
            "CreateApp"
        ]
    );
    let cleaned = cleanup(&config, &error.created).await;
    assert!(cleaned.remaining.is_empty(), "{cleaned:?}");
    assert!(fake.state().stacks.is_empty());
}

#[tokio::test]
async fn discovering_a_provisioned_world_gives_the_same_world() {
    let (fake, server) = Fake::start().await;
    let config = config(&server);
    let provisioned = provision(&config).await.expect("provisioned");
    let ids: Vec<String> = provisioned
        .world
        .stacks
        .iter()
        .map(|stack| stack.stack_id.clone())
        .collect();
    let before = fake.operations().len();
    let discovered = discover(&config, &ids).await.expect("discovered");
    assert_eq!(discovered.world, provisioned.world);
    assert_eq!(
        discovered.world.to_json_pretty(),
        provisioned.world.to_json_pretty()
    );
    assert!(discovered.notes.is_empty(), "{:?}", discovered.notes);
    // Only Describe* calls: one DescribeStacks, three per stack.
    let sent = fake.operations().split_off(before);
    assert_eq!(sent.len(), 1 + 3 * ids.len());
    assert!(
        sent.iter()
            .all(|operation| operation.starts_with("Describe"))
    );

    // A stack the target does not have: the call and the answer.
    let error = discover(&config, &["no-such-stack".to_owned()])
        .await
        .expect_err("no such stack");
    assert_eq!(error.operation, "DescribeStacks");
    assert!(
        error.answer.contains("ResourceNotFoundException"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "cli")]
mod cli {
    use std::process::{Command, Stdio};

    use super::*;

    const BINARY: &str = env!("CARGO_BIN_EXE_opsworks-conformance");

    struct Run {
        code: Option<i32>,
        stdout: String,
        stderr: String,
    }

    /// `opsworks-conformance run ARGS` with the key in a shared credentials file of `dir`
    /// (nothing in the environment).
    fn run(dir: &TempDir, args: &[&str]) -> Run {
        let credentials = dir.write(
            "credentials",
            &format!("[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"),
        );
        let output = Command::new(BINARY)
            .arg("run")
            .args(args)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_SHARED_CREDENTIALS_FILE", credentials)
            .env("AWS_CONFIG_FILE", dir.path("no-config"))
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs");
        let run = Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert!(!text.contains(SECRET), "the secret in {name}:\n{text}");
        }
        run
    }

    fn read_json(path: &std::path::Path) -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).expect("the JSON report"))
            .expect("JSON")
    }

    /// The whole round against a target that implements everything: provision, a run that
    /// passes, cleanup that deletes all; then discovery of a second provisioned world gives
    /// the same world file, and every call is signed with the shared profile's key.
    #[tokio::test]
    async fn provision_run_cleanup_and_discover_through_the_cli() {
        let (fake, server) = Fake::start().await;
        let dir = TempDir::new("provision");
        let (world_out, json) = (dir.path("world.json"), dir.path("report.json"));
        let url = server.uri();
        let ran = run(
            &dir,
            &[
                "--endpoint",
                &url,
                "--provision",
                "--cleanup",
                "--cases",
                "300",
                "--world-out",
                world_out.to_str().expect("UTF-8"),
                "--json",
                json.to_str().expect("UTF-8"),
            ],
        );
        let context = format!("{}\n{}", ran.stdout, ran.stderr);
        assert_eq!(ran.code, Some(0), "{context}");
        assert!(
            ran.stdout.contains(&format!(
                "provisioned through {url}: 3 stacks, 5 layers, 8 apps, 4 instances (20 calls: CreateStack x3, CreateLayer x5, CreateApp x8, CreateInstance x4)"
            )),
            "{context}"
        );
        assert!(
            ran.stdout
                .contains("cleanup: 20 of 20 resources deleted (20 calls: DeleteApp x8, DeleteInstance x4, DeleteLayer x5, DeleteStack x3); none left"),
            "{context}"
        );
        let report = read_json(&json);
        assert_eq!(report["verdict"], "pass", "{context}");
        let provisioning = &report["provisioning"];
        assert_eq!(provisioning["mode"], "provisioned");
        assert_eq!(provisioning["created"].as_array().map(Vec::len), Some(20));
        assert_eq!(
            provisioning["cleanup"]["deleted"].as_array().map(Vec::len),
            Some(20)
        );
        assert_eq!(provisioning["left"], json!([]));
        assert_eq!(provisioning["world_out"], json!(world_out.to_str()));
        // The world file is the world the run used: the stacks created and deleted.
        let world = World::from_file(&world_out).expect("a valid world file");
        let created_stacks: Vec<&str> = provisioning["created"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|resource| resource["type"] == "stack")
            .filter_map(|resource| resource["id"].as_str())
            .collect();
        let world_stacks: Vec<&str> = world
            .stacks
            .iter()
            .map(|stack| stack.stack_id.as_str())
            .collect();
        assert_eq!(world_stacks, created_stacks);
        assert!(fake.state().stacks.is_empty(), "everything was deleted");

        // Requests: the provisioning calls, then nothing but CreateDeployment (and names no
        // operation has), then the cleanup calls; all signed with the profile's key.
        let received = fake.state().received.clone();
        let operations: Vec<&str> = received.iter().map(|r| r.operation.as_str()).collect();
        let calls: Vec<&str> = provisioning["calls"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|call| call["operation"].as_str())
            .collect();
        let cleanup_calls: Vec<&str> = provisioning["cleanup"]["calls"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|call| call["operation"].as_str())
            .collect();
        // The endpoint's reachability probe comes first.
        let start = operations
            .iter()
            .position(|operation| *operation == "CreateStack")
            .expect("provisioning calls");
        assert_eq!(operations[start..start + calls.len()], calls[..]);
        assert_eq!(
            operations[operations.len() - cleanup_calls.len()..],
            cleanup_calls[..]
        );
        let api = opsworks_conformance::contract::OPSWORKS_OPERATIONS;
        for operation in &operations[start + calls.len()..operations.len() - cleanup_calls.len()] {
            assert!(
                *operation == "CreateDeployment" || !api.contains(operation),
                "the run sent {operation}"
            );
        }
        for received in received.iter().skip(start).take(calls.len()) {
            assert_eq!(received.verified_key.as_deref(), Some(KEY), "{received:?}");
        }
        // The run's own requests are signed with the profile's key too.
        let deployments: Vec<&Received> = received
            .iter()
            .filter(|received| received.operation == "CreateDeployment")
            .collect();
        assert!(deployments.len() >= 250, "{}", deployments.len());
        for received in deployments {
            assert_eq!(received.verified_key.as_deref(), Some(KEY), "{received:?}");
        }

        // Discovery of a provisioned world (no cleanup) writes the same world file.
        let provisioned_out = dir.path("provisioned.json");
        let ran = run(
            &dir,
            &[
                "--endpoint",
                &url,
                "--provision",
                "--cases",
                "50",
                "--world-out",
                provisioned_out.to_str().expect("UTF-8"),
            ],
        );
        assert_eq!(ran.code, Some(0), "{}\n{}", ran.stdout, ran.stderr);
        assert!(
            ran.stdout
                .contains("left in the target (no --cleanup): 20 resources"),
            "{}",
            ran.stdout
        );
        let provisioned = World::from_file(&provisioned_out).expect("a world file");
        let mut args = vec![
            "--endpoint".to_owned(),
            url.clone(),
            "--discover".to_owned(),
        ];
        args.extend(
            provisioned
                .stacks
                .iter()
                .map(|stack| stack.stack_id.clone()),
        );
        let discovered_out = dir.path("discovered.json");
        let discovered_json = dir.path("discovered-report.json");
        args.extend([
            "--cases".to_owned(),
            "300".to_owned(),
            "--world-out".to_owned(),
            discovered_out.to_str().expect("UTF-8").to_owned(),
            "--json".to_owned(),
            discovered_json.to_str().expect("UTF-8").to_owned(),
        ]);
        let before = fake.operations().len();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let ran = run(&dir, &args);
        assert_eq!(ran.code, Some(0), "{}\n{}", ran.stdout, ran.stderr);
        assert_eq!(
            std::fs::read_to_string(&discovered_out).expect("written"),
            std::fs::read_to_string(&provisioned_out).expect("written")
        );
        let report = read_json(&discovered_json);
        assert_eq!(report["provisioning"]["mode"], "discovered");
        assert_eq!(report["provisioning"]["created"], json!([]));
        // The A-* rules say why they do not apply.
        let rule = report["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|rule| rule["id"] == "A-PERMISSION")
            .expect("A-PERMISSION");
        assert_eq!(rule["status"], "not_applicable");
        assert_eq!(
            rule["note"],
            "the discovered world has no users (Describe* answers show no keys)"
        );
        // Discovery created and deleted nothing: Describe* calls, then the run's requests.
        for operation in &fake.operations()[before..] {
            assert!(
                operation.starts_with("Describe")
                    || *operation == "CreateDeployment"
                    || !api.contains(&operation.as_str()),
                "{operation}"
            );
        }
    }

    /// A target that cannot provision: exit 2, naming the call and its answer; with
    /// --cleanup, what was created before is deleted, and the message says so.
    #[tokio::test]
    async fn a_target_that_cannot_provision_exits_2_naming_the_call() {
        let (fake, server) = Fake::start().await;
        fake.refuse(
            "CreateInstance",
            500,
            json!({"__type": "InternalFailure", "message": "instances are not supported"}),
        );
        let dir = TempDir::new("provision");
        let json = dir.path("report.json");
        let ran = run(
            &dir,
            &[
                "--endpoint",
                &server.uri(),
                "--provision",
                "--cleanup",
                "--json",
                json.to_str().expect("UTF-8"),
            ],
        );
        assert_eq!(ran.code, Some(2), "{}\n{}", ran.stdout, ran.stderr);
        assert!(
            ran.stderr.contains(&format!(
                "error: expected to provision the world through {}, found CreateInstance: the target answered HTTP 500 InternalFailure: instances are not supported",
                server.uri()
            )),
            "{}",
            ran.stderr
        );
        assert!(
            ran.stderr.contains("cleanup: 8 of 8 resources deleted"),
            "{}",
            ran.stderr
        );
        assert!(fake.state().stacks.is_empty());
        assert!(!json.exists(), "no report for a run that could not be made");
        // Snapshots of a world made anew by every run would differ every run: refused
        // before any call.
        let received = fake.operations().len();
        let ran = run(
            &dir,
            &[
                "--endpoint",
                &server.uri(),
                "--provision",
                "--snapshots",
                dir.path("snapshots").to_str().expect("UTF-8"),
            ],
        );
        assert_eq!(ran.code, Some(2), "{}\n{}", ran.stdout, ran.stderr);
        assert!(
            ran.stderr
                .contains("error: --snapshots with --provision: expected a world whose ids"),
            "{}",
            ran.stderr
        );
        assert_eq!(fake.operations().len(), received, "no call was made");
        // No CreateDeployment was sent.
        assert!(
            !fake
                .operations()
                .iter()
                .any(|operation| operation == "CreateDeployment")
        );
    }

    /// Ctrl-C while provisioning: no further call, what was created is deleted (with
    /// --cleanup), exit 130, no CreateDeployment sent.
    #[cfg(unix)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ctrl_c_during_provisioning_deletes_what_was_created_and_exits_130() {
        use std::io::{BufRead, BufReader};
        let (fake, server) = Fake::start().await;
        fake.state().slow_creation = Some(Duration::from_millis(150));
        let dir = TempDir::new("provision");
        let credentials = dir.write(
            "credentials",
            &format!("[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"),
        );
        let mut child = Command::new(BINARY)
            .args([
                "run",
                "--endpoint",
                &server.uri(),
                "--provision",
                "--cleanup",
            ])
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_SHARED_CREDENTIALS_FILE", credentials)
            .env("AWS_CONFIG_FILE", dir.path("no-config"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let pid = child.id().to_string();
        let stderr = child.stderr.take().expect("stderr");
        let (code, lines) = tokio::task::spawn_blocking(move || {
            let mut lines = Vec::new();
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            let mut sent = false;
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if !sent && line.starts_with("provisioning the world") {
                    // A few creations in: about 5 of the 20 calls are answered.
                    std::thread::sleep(Duration::from_millis(700));
                    let killed = Command::new("kill").args(["-INT", &pid]).status();
                    assert!(killed.is_ok_and(|status| status.success()), "kill -INT");
                    sent = true;
                }
                lines.push(std::mem::take(&mut line));
            }
            (child.wait().expect("the exit").code(), lines)
        })
        .await
        .expect("the reader");
        let stderr = lines.concat();
        assert_eq!(code, Some(130), "{stderr}");
        assert!(stderr.contains(": not sent: interrupted"), "{stderr}");
        assert!(
            stderr.contains("then what was provisioned is deleted"),
            "{stderr}"
        );
        let created = fake
            .operations()
            .iter()
            .filter(|operation| operation.starts_with("Create"))
            .count();
        assert!((1..20).contains(&created), "{created} creations: {stderr}");
        assert!(
            stderr.contains(&format!(
                "cleanup: {created} of {created} resources deleted"
            )),
            "{stderr}"
        );
        assert!(fake.state().stacks.is_empty(), "{stderr}");
        assert!(
            !fake
                .operations()
                .iter()
                .any(|operation| operation == "CreateDeployment")
        );
    }

    #[test]
    fn the_flags_need_an_endpoint_and_do_not_mix_with_a_world_file() {
        let dir = TempDir::new("provision");
        for args in [
            vec!["--provision"],
            vec!["--discover", "s1"],
            vec!["--cleanup"],
            vec![
                "--endpoint",
                "http://127.0.0.1:9",
                "--provision",
                "--world",
                "w.json",
            ],
            vec![
                "--endpoint",
                "http://127.0.0.1:9",
                "--provision",
                "--discover",
                "s1",
            ],
        ] {
            let ran = run(&dir, &args);
            assert_eq!(ran.code, Some(2), "{args:?}: {}", ran.stderr);
        }
    }

    /// A profile named by AWS_PROFILE that the files do not have stops the run before any
    /// request, naming it.
    #[test]
    fn a_missing_profile_is_exit_2() {
        let dir = TempDir::new("provision");
        let credentials = dir.write(
            "credentials",
            "[default]\naws_access_key_id = A\naws_secret_access_key = B\n",
        );
        let output = Command::new(BINARY)
            .args(["run", "--cases", "10"])
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env("AWS_PROFILE", "deployer")
            .env("AWS_SHARED_CREDENTIALS_FILE", credentials)
            .env("AWS_CONFIG_FILE", dir.path("no-config"))
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("error: AWS credentials: AWS_PROFILE=\"deployer\": expected the profile in the shared credentials or config file, found it in neither"),
            "{stderr}"
        );
    }
}
