//! Adopting an existing world: `DescribeStacks`, `DescribeApps`, `DescribeLayers`,
//! `DescribeInstances`.

use std::collections::HashSet;

use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};

use aws_sdk_opsworks::config::http::HttpResponse;
use aws_sdk_opsworks::error::{ProvideErrorMetadata, SdkError};
use serde_json::Value;

use super::calls::{Call, ProvisionConfig, ProvisionError, unreadable};
use super::create::canonical;
use crate::report::visible;
use crate::world::{App, AppType, Instance, Layer, Stack, World};

/// What [`discover`] read: the world, the calls, and what the world leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// The world (stacks in the order asked for; apps, layers, instances and an instance's
    /// layers by id; no users; every app `Versions: 1`).
    pub world: World,
    /// Every call made.
    pub calls: Vec<Call>,
    /// What the answers held that the world cannot (an app of a type the world file does not
    /// know, an instance's layer no `DescribeLayers` answer listed), and answers aws-sdk-opsworks
    /// could not read whose ids were read from their JSON, each in a sentence.
    pub notes: Vec<String>,
}

/// Reads the stacks `stack_ids` (each once, in this order) and their apps, layers and
/// instances from the target (`DescribeStacks` with the ids, then `DescribeApps`,
/// `DescribeLayers` and `DescribeInstances` per stack) and builds the world from the answers.
/// Nothing is created or changed.
///
/// The answers say nothing of stored app versions or users' keys: every app has
/// `Versions: 1`, and the world has no users (see [`explain_discovered`]).
///
/// [`explain_discovered`]: crate::provision::explain_discovered
///
/// # Errors
/// A [`ProvisionError`] naming the call that failed and what the target answered, or the
/// stack that the `DescribeStacks` answer left out; with no ids, one saying so (no call is made).
pub async fn discover(
    config: &ProvisionConfig,
    stack_ids: &[String],
) -> Result<Discovered, ProvisionError> {
    let mut seen = HashSet::new();
    let stack_ids: Vec<&String> = stack_ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .collect();
    let mut reading = Reading {
        config,
        calls: Vec::new(),
        notes: Vec::new(),
    };
    if stack_ids.is_empty() {
        return Err(ProvisionError {
            operation: "DescribeStacks",
            answer: "not sent: expected at least one stack id".to_owned(),
            calls: Vec::new(),
            created: Vec::new(),
        });
    }
    let client = config.client();
    let answered = client
        .describe_stacks()
        .set_stack_ids(Some(stack_ids.iter().map(|id| (*id).clone()).collect()))
        .send()
        .await;
    let stacks = reading.read("DescribeStacks", None, answered, "Stacks", |output| {
        output
            .stacks()
            .iter()
            .map(|stack| Found::id(stack.stack_id()))
            .collect()
    })?;
    for id in &stack_ids {
        if !stacks
            .iter()
            .any(|stack| stack.id.as_deref() == Some(id.as_str()))
        {
            return Err(reading.fail(
                "DescribeStacks",
                None,
                format!(
                    "no stack {:?} (it answered {} stacks)",
                    visible(id),
                    stacks.len()
                ),
            ));
        }
    }

    let mut world = World::default();
    for stack_id in stack_ids {
        let stack = Some(stack_id.as_str());
        let answered = client.describe_apps().stack_id(stack_id).send().await;
        let apps = reading.read("DescribeApps", stack, answered, "Apps", |output| {
            output
                .apps()
                .iter()
                .map(|app| Found {
                    app_type: app.r#type().map(|app_type| app_type.as_str().to_owned()),
                    ..Found::id(app.app_id())
                })
                .collect()
        })?;
        let answered = client.describe_layers().stack_id(stack_id).send().await;
        let layers = reading.read("DescribeLayers", stack, answered, "Layers", |output| {
            output
                .layers()
                .iter()
                .map(|layer| Found::id(layer.layer_id()))
                .collect()
        })?;
        let answered = client.describe_instances().stack_id(stack_id).send().await;
        let instances = reading.read(
            "DescribeInstances",
            stack,
            answered,
            "Instances",
            |output| {
                output
                    .instances()
                    .iter()
                    .map(|instance| Found {
                        layer_ids: instance.layer_ids().to_vec(),
                        ..Found::id(instance.instance_id())
                    })
                    .collect()
            },
        )?;
        world
            .stacks
            .push(reading.stack(stack_id, apps, layers, instances));
    }
    let world = canonical(world);
    if let Err(error) = world.validate() {
        return Err(ProvisionError {
            operation: "DescribeInstances",
            answer: format!("answers that make a world the world file cannot hold ({error})"),
            calls: reading.calls,
            created: Vec::new(),
        });
    }
    Ok(Discovered {
        world,
        calls: reading.calls,
        notes: reading.notes,
    })
}

/// What the world needs of a described stack, app, layer or instance.
#[derive(Debug, Default)]
struct Found {
    /// Its id.
    id: Option<String>,
    /// An app's type, as spelled.
    app_type: Option<String>,
    /// An instance's layers.
    layer_ids: Vec<String>,
}

impl Found {
    fn id(id: Option<&str>) -> Found {
        Found {
            id: id.filter(|id| !id.is_empty()).map(str::to_owned),
            ..Found::default()
        }
    }

    /// The same from an element of an answer's JSON array (`id_member`: `AppId`, ...).
    fn from_json(item: &Value, id_member: &str) -> Found {
        Found {
            app_type: item.get("Type").and_then(Value::as_str).map(str::to_owned),
            layer_ids: item
                .get("LayerIds")
                .and_then(Value::as_array)
                .map(|ids| {
                    ids.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            ..Found::id(item.get(id_member).and_then(Value::as_str))
        }
    }
}

/// The calls of one discovery, as they are made.
struct Reading<'a> {
    config: &'a ProvisionConfig,
    calls: Vec<Call>,
    notes: Vec<String>,
}

impl Reading<'_> {
    /// Records a failed call and gives up.
    fn fail(
        &mut self,
        operation: &'static str,
        id: Option<&str>,
        answer: String,
    ) -> ProvisionError {
        self.calls.push(Call {
            operation,
            id: id.map(str::to_owned),
            failure: Some(answer.clone()),
        });
        ProvisionError {
            operation,
            answer: format!("the target answered {answer}"),
            calls: self.calls.clone(),
            created: Vec::new(),
        }
    }

    /// The items of a `Describe*` answer (`member`: `Stacks`, `Apps`, ...), as aws-sdk-opsworks
    /// read them, or, when it could not read a 2xx JSON answer (moto answers `Environment` as an
    /// object where the model has a list), from the JSON itself, with a note saying so.
    fn read<T, E>(
        &mut self,
        operation: &'static str,
        stack: Option<&str>,
        answered: Result<T, SdkError<E, HttpResponse>>,
        member: &str,
        typed: impl FnOnce(T) -> Vec<Found>,
    ) -> Result<Vec<Found>, ProvisionError>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let error = match answered {
            Ok(output) => {
                self.calls.push(Call {
                    operation,
                    id: stack.map(str::to_owned),
                    failure: None,
                });
                return Ok(typed(output));
            }
            Err(error) => error,
        };
        let items = match error.raw_response() {
            Some(raw) if raw.status().is_success() => raw
                .body()
                .bytes()
                .and_then(|body| serde_json::from_slice::<Value>(body).ok())
                .and_then(|body| body.get(member).and_then(Value::as_array).cloned()),
            _ => None,
        };
        let Some(items) = items else {
            let answer = self.config.answer(&error);
            return Err(self.fail(operation, stack, answer));
        };
        let id_member = format!("{}Id", member.trim_end_matches('s'));
        self.calls.push(Call {
            operation,
            id: stack.map(str::to_owned),
            failure: None,
        });
        self.notes.push(format!(
            "{operation}{}: aws-sdk-opsworks could not read the answer ({}); {id_member}s were read from its JSON",
            stack.map(|id| format!(" of stack {}", visible(id))).unwrap_or_default(),
            unreadable(&error)
        ));
        Ok(items
            .iter()
            .map(|item| Found::from_json(item, &id_member))
            .collect())
    }

    /// The world's stack from what was described of it.
    fn stack(
        &mut self,
        stack_id: &str,
        apps: Vec<Found>,
        layers: Vec<Found>,
        instances: Vec<Found>,
    ) -> Stack {
        let mut stack = Stack {
            stack_id: stack_id.to_owned(),
            ..Stack::default()
        };
        let stack_id = visible(stack_id);
        for app in apps {
            let Some(app_id) = app.id else {
                self.notes
                    .push(format!("an app of stack {stack_id} without an AppId"));
                continue;
            };
            let spelled = app.app_type.unwrap_or_default();
            let deserializer: StrDeserializer<'_, ValueError> =
                spelled.as_str().into_deserializer();
            match AppType::deserialize(deserializer) {
                Ok(app_type) => stack.apps.push(App {
                    app_id,
                    app_type,
                    versions: 1,
                }),
                Err(_) => self.notes.push(format!(
                    "app {} of stack {stack_id}: its type {:?} is not one the world file knows",
                    visible(&app_id),
                    visible(&spelled)
                )),
            }
        }
        for layer in layers {
            match layer.id {
                Some(layer_id) => stack.layers.push(Layer { layer_id }),
                None => self
                    .notes
                    .push(format!("a layer of stack {stack_id} without a LayerId")),
            }
        }
        for instance in instances {
            let Some(instance_id) = instance.id else {
                self.notes.push(format!(
                    "an instance of stack {stack_id} without an InstanceId"
                ));
                continue;
            };
            let mut layer_ids: Vec<String> = Vec::new();
            for layer_id in instance.layer_ids {
                if !stack.layers.iter().any(|layer| layer.layer_id == layer_id) {
                    self.notes.push(format!(
                        "instance {} of stack {stack_id}: its layer {:?} is not among the stack's layers",
                        visible(&instance_id),
                        visible(&layer_id)
                    ));
                } else if !layer_ids.contains(&layer_id) {
                    layer_ids.push(layer_id);
                }
            }
            stack.instances.push(Instance {
                instance_id,
                layer_ids,
            });
        }
        stack
    }
}
