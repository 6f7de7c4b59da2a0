//! Creating the world: `CreateStack`, `CreateLayer`, `CreateApp`, `CreateInstance`.

use aws_sdk_opsworks::types::{AppType as SdkAppType, LayerType};

use super::calls::{Call, ProvisionConfig, ProvisionError, Resource, ResourceKind};
use crate::report::visible;
use crate::world::{App, AppType, Instance, Layer, Stack, World};

/// The instance type of the instances created (none is started).
const INSTANCE_TYPE: &str = "t2.micro";

/// The shape of the world [`provision_plan`] creates.
///
/// ```
/// use opsworks_conformance::provision::WorldPlan;
/// let plan = WorldPlan::default();
/// assert_eq!(plan.stacks.len(), 3);
/// assert_eq!(plan.calls(), 20);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldPlan {
    /// The stacks, created in this order.
    pub stacks: Vec<StackPlan>,
}

/// One stack of a [`WorldPlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackPlan {
    /// How many layers (type `custom`).
    pub layers: usize,
    /// An app of each of these types.
    pub apps: Vec<AppType>,
    /// An instance for each entry: the indexes (into the stack's layers) of its layers, at
    /// least one (`CreateInstance` requires `LayerIds`).
    pub instances: Vec<Vec<usize>>,
}

impl Default for WorldPlan {
    /// What the gate's rules need, as the bundled world has it: a stack with apps of four types
    /// (`rails` among them, for M-MIGRATE-NON-RAILS), three layers and instances in one or two
    /// of them; a second stack with the other three types and a `rails` app, for ids of
    /// *another* stack (N-APP, N-LAYER, N-INSTANCE); a third stack with a layer and no apps.
    fn default() -> Self {
        WorldPlan {
            stacks: vec![
                StackPlan {
                    layers: 3,
                    apps: vec![
                        AppType::Rails,
                        AppType::Php,
                        AppType::Nodejs,
                        AppType::Static,
                    ],
                    instances: vec![vec![0], vec![0, 1], vec![2]],
                },
                StackPlan {
                    layers: 1,
                    apps: vec![
                        AppType::Rails,
                        AppType::Java,
                        AppType::AwsFlowRuby,
                        AppType::Other,
                    ],
                    instances: vec![vec![0]],
                },
                StackPlan {
                    layers: 1,
                    apps: Vec::new(),
                    instances: Vec::new(),
                },
            ],
        }
    }
}

impl WorldPlan {
    /// How many create calls the plan takes (one per resource).
    #[must_use]
    pub fn calls(&self) -> usize {
        self.stacks
            .iter()
            .map(|stack| 1 + stack.layers + stack.apps.len() + stack.instances.len())
            .sum()
    }

    /// Why no world can be created from the plan: an instance without layers, or with an
    /// index past its stack's layers or named twice.
    fn check(&self) -> Result<(), String> {
        for (s, stack) in self.stacks.iter().enumerate() {
            for (i, layers) in stack.instances.iter().enumerate() {
                if layers.is_empty() {
                    return Err(format!(
                        "stacks[{s}].instances[{i}]: expected at least one layer (CreateInstance requires LayerIds), found none"
                    ));
                }
                for (position, &layer) in layers.iter().enumerate() {
                    if layer >= stack.layers
                        || layers
                            .get(..position)
                            .is_some_and(|earlier| earlier.contains(&layer))
                    {
                        return Err(format!(
                            "stacks[{s}].instances[{i}]: expected distinct layer indexes below {}, found {layer}",
                            stack.layers
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// What [`provision`] created: the world (in canonical order: stacks as created, their apps,
/// layers, instances and an instance's layers by id) and every resource and call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    /// The world, as a world file would hold it (no users; every app `Versions: 1`).
    pub world: World,
    /// Every resource created, in the order of creation.
    pub created: Vec<Resource>,
    /// Every call made.
    pub calls: Vec<Call>,
}

/// Creates the default world ([`WorldPlan::default`]) through the target's OpsWorks API; see
/// [`provision_plan`].
///
/// # Errors
/// See [`provision_plan`].
pub async fn provision(config: &ProvisionConfig) -> Result<Provisioned, ProvisionError> {
    provision_plan(config, &WorldPlan::default()).await
}

/// Creates the world `plan` describes through the target's OpsWorks API (aws-sdk-opsworks, one
/// request per call, no retries): for each stack `CreateStack`, then `CreateLayer` (type
/// `custom`), `CreateApp` and `CreateInstance` (type `t2.micro`, in its layers; not started).
/// Names start with [`ProvisionConfig::name_prefix`].
///
/// # Errors
/// At the first call that fails (or whose answer has no id), a [`ProvisionError`] naming it
/// and what the target answered, with the resources created until then: delete them with
/// [`cleanup`](crate::provision::cleanup). A plan that cannot be created fails before any call.
pub async fn provision_plan(
    config: &ProvisionConfig,
    plan: &WorldPlan,
) -> Result<Provisioned, ProvisionError> {
    let mut run = Creation {
        config,
        client: config.client(),
        calls: Vec::new(),
        created: Vec::new(),
    };
    if let Err(problem) = plan.check() {
        return Err(ProvisionError {
            operation: "CreateInstance",
            answer: format!("not sent: the plan is not valid ({problem})"),
            calls: Vec::new(),
            created: Vec::new(),
        });
    }
    let mut world = World::default();
    for (s, stack_plan) in plan.stacks.iter().enumerate() {
        let stack = run.stack(s).await?;
        let mut layers = Vec::new();
        for l in 0..stack_plan.layers {
            layers.push(run.layer(&stack, s, l).await?);
        }
        let mut apps = Vec::new();
        for (a, app_type) in stack_plan.apps.iter().enumerate() {
            apps.push(App {
                app_id: run.app(&stack, s, a, *app_type).await?,
                app_type: *app_type,
                versions: 1,
            });
        }
        let mut instances = Vec::new();
        for indexes in &stack_plan.instances {
            let layer_ids: Vec<String> = indexes
                .iter()
                .filter_map(|&index| layers.get(index).cloned())
                .collect();
            instances.push(Instance {
                instance_id: run.instance(&stack, &layer_ids).await?,
                layer_ids,
            });
        }
        world.stacks.push(Stack {
            stack_id: stack,
            apps,
            layers: layers
                .into_iter()
                .map(|layer_id| Layer { layer_id })
                .collect(),
            instances,
        });
    }
    let world = canonical(world);
    if let Err(error) = world.validate() {
        // Ids are checked as they are answered; this is the world file's own check.
        let operation = run
            .calls
            .last()
            .map_or("CreateStack", |call| call.operation);
        return Err(ProvisionError {
            operation,
            answer: format!("the answers make a world the world file cannot hold ({error})"),
            calls: run.calls,
            created: run.created,
        });
    }
    Ok(Provisioned {
        world,
        created: run.created,
        calls: run.calls,
    })
}

/// The world with each stack's apps, layers and instances, and each instance's layers, in the
/// order of their ids: how [`provision`] and [`discover`](crate::provision::discover) write
/// it, so that discovering a provisioned world gives the same file.
pub(crate) fn canonical(mut world: World) -> World {
    for stack in &mut world.stacks {
        stack.apps.sort_by(|a, b| a.app_id.cmp(&b.app_id));
        stack.layers.sort_by(|a, b| a.layer_id.cmp(&b.layer_id));
        stack
            .instances
            .sort_by(|a, b| a.instance_id.cmp(&b.instance_id));
        for instance in &mut stack.instances {
            instance.layer_ids.sort();
        }
    }
    world
}

/// The calls of one provisioning, as they are made.
struct Creation<'a> {
    config: &'a ProvisionConfig,
    client: aws_sdk_opsworks::Client,
    calls: Vec<Call>,
    created: Vec<Resource>,
}

impl Creation<'_> {
    /// Gives up before `operation` when the stop flag is set (Ctrl-C): `Err` with what was
    /// created until then.
    fn go_on(&self, operation: &'static str) -> Result<(), ProvisionError> {
        if self.config.stop.is_set() {
            return Err(ProvisionError {
                operation,
                answer: "not sent: interrupted".to_owned(),
                calls: self.calls.clone(),
                created: self.created.clone(),
            });
        }
        Ok(())
    }

    /// Records a failed call and gives up.
    fn fail(&mut self, operation: &'static str, answer: String) -> ProvisionError {
        self.calls.push(Call {
            operation,
            id: None,
            failure: Some(answer.clone()),
        });
        ProvisionError {
            operation,
            answer: format!("the target answered {answer}"),
            calls: self.calls.clone(),
            created: self.created.clone(),
        }
    }

    /// Records a call's outcome: the created resource, or the failure.
    fn record(
        &mut self,
        operation: &'static str,
        kind: ResourceKind,
        outcome: Result<Option<String>, String>,
        stack_id: Option<&str>,
        name: String,
    ) -> Result<String, ProvisionError> {
        match outcome {
            Ok(Some(id)) if self.created.iter().any(|resource| resource.id == id) => Err(self
                .fail(
                    operation,
                    format!("a {kind} id it had answered before ({:?})", visible(&id)),
                )),
            Ok(Some(id)) if !id.is_empty() => {
                self.calls.push(Call {
                    operation,
                    id: Some(id.clone()),
                    failure: None,
                });
                self.created.push(Resource {
                    kind,
                    stack_id: stack_id.unwrap_or(&id).to_owned(),
                    id: id.clone(),
                    name,
                });
                Ok(id)
            }
            Ok(_) => Err(self.fail(
                operation,
                format!("a success without a {}Id", capitalised(kind)),
            )),
            Err(answer) => Err(self.fail(operation, answer)),
        }
    }

    async fn stack(&mut self, s: usize) -> Result<String, ProvisionError> {
        self.go_on("CreateStack")?;
        let name = format!("{}-stack-{s}", self.config.name_prefix);
        let outcome = self
            .client
            .create_stack()
            .name(&name)
            .region(&self.config.region)
            .service_role_arn(&self.config.service_role_arn)
            .default_instance_profile_arn(&self.config.instance_profile_arn)
            .send()
            .await
            .map(|output| output.stack_id().map(str::to_owned))
            .map_err(|error| self.config.answer(&error));
        self.record("CreateStack", ResourceKind::Stack, outcome, None, name)
    }

    async fn layer(&mut self, stack: &str, s: usize, l: usize) -> Result<String, ProvisionError> {
        self.go_on("CreateLayer")?;
        let name = format!("{}-layer-{s}-{l}", self.config.name_prefix);
        let outcome = self
            .client
            .create_layer()
            .stack_id(stack)
            .r#type(LayerType::Custom)
            .name(&name)
            .shortname(format!("gate{s}{l}"))
            .send()
            .await
            .map(|output| output.layer_id().map(str::to_owned))
            .map_err(|error| self.config.answer(&error));
        self.record(
            "CreateLayer",
            ResourceKind::Layer,
            outcome,
            Some(stack),
            name,
        )
    }

    async fn app(
        &mut self,
        stack: &str,
        s: usize,
        a: usize,
        app_type: AppType,
    ) -> Result<String, ProvisionError> {
        self.go_on("CreateApp")?;
        let name = format!("{}-app-{s}-{a}-{app_type}", self.config.name_prefix);
        let outcome = self
            .client
            .create_app()
            .stack_id(stack)
            .name(&name)
            .r#type(SdkAppType::from(app_type.as_str()))
            .send()
            .await
            .map(|output| output.app_id().map(str::to_owned))
            .map_err(|error| self.config.answer(&error));
        self.record("CreateApp", ResourceKind::App, outcome, Some(stack), name)
    }

    async fn instance(
        &mut self,
        stack: &str,
        layer_ids: &[String],
    ) -> Result<String, ProvisionError> {
        self.go_on("CreateInstance")?;
        let outcome = self
            .client
            .create_instance()
            .stack_id(stack)
            .set_layer_ids(Some(layer_ids.to_vec()))
            .instance_type(INSTANCE_TYPE)
            .send()
            .await
            .map(|output| output.instance_id().map(str::to_owned))
            .map_err(|error| self.config.answer(&error));
        let name = format!("in {}", layer_ids.join(", "));
        self.record(
            "CreateInstance",
            ResourceKind::Instance,
            outcome,
            Some(stack),
            name,
        )
    }
}

/// `Stack`, `Layer`, `App`, `Instance`.
fn capitalised(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Stack => "Stack",
        ResourceKind::Layer => "Layer",
        ResourceKind::App => "App",
        ResourceKind::Instance => "Instance",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_plan_covers_every_app_type_and_instances_in_one_or_two_layers() {
        let plan = WorldPlan::default();
        assert_eq!(plan.check(), Ok(()));
        for app_type in AppType::ALL {
            assert!(
                plan.stacks
                    .iter()
                    .any(|stack| stack.apps.contains(&app_type)),
                "{app_type}"
            );
        }
        let layer_counts: Vec<usize> = plan
            .stacks
            .iter()
            .flat_map(|stack| stack.instances.iter().map(Vec::len))
            .collect();
        assert!(layer_counts.contains(&1) && layer_counts.contains(&2));
        assert!(plan.stacks.iter().any(|stack| stack.apps.is_empty()));
    }

    #[test]
    fn a_plan_that_cannot_be_created_is_refused() {
        for instances in [vec![vec![]], vec![vec![1]], vec![vec![0, 0]]] {
            let plan = WorldPlan {
                stacks: vec![StackPlan {
                    layers: 1,
                    apps: Vec::new(),
                    instances: instances.clone(),
                }],
            };
            assert!(plan.check().is_err(), "{instances:?}");
        }
    }

    #[test]
    fn the_canonical_order_is_by_id() {
        let world = World::from_json(
            r#"{"Stacks":[{"StackId":"s2","Apps":[{"AppId":"b","Type":"php"},{"AppId":"a","Type":"java"}],
                "Layers":[{"LayerId":"l2"},{"LayerId":"l1"}],
                "Instances":[{"InstanceId":"i2","LayerIds":["l2","l1"]},{"InstanceId":"i1"}]},
               {"StackId":"s1"}]}"#,
        )
        .unwrap();
        let world = canonical(world);
        assert_eq!(world.stacks[0].stack_id, "s2", "stacks keep their order");
        assert_eq!(world.stacks[0].apps[0].app_id, "a");
        assert_eq!(world.stacks[0].layers[0].layer_id, "l1");
        assert_eq!(world.stacks[0].instances[0].instance_id, "i1");
        assert_eq!(world.stacks[0].instances[1].layer_ids, ["l1", "l2"]);
    }
}
