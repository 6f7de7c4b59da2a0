//! Deleting what provisioning created: `DeleteApp`, `DeleteInstance`, `DeleteLayer`,
//! `DeleteStack`.

use super::calls::{Call, ProvisionConfig, Resource, ResourceKind};

/// What [`cleanup`] did: the resources deleted, those left, and every call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cleanup {
    /// The resources the target deleted, in the order of deletion.
    pub deleted: Vec<Resource>,
    /// The resources left, each with the reason, in the order of creation.
    pub remaining: Vec<Remaining>,
    /// Every call made.
    pub calls: Vec<Call>,
}

/// A resource [`cleanup`] could not delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remaining {
    /// The resource.
    pub resource: Resource,
    /// Why: what the target answered to its deletion (`DeleteApp: HTTP 500, ...`), or why no
    /// deletion was asked for (a resource of its stack is left).
    pub reason: String,
}

/// Deletes `created` (what [`provision`](crate::provision::provision) created, and nothing
/// else), one request per resource and no retries: apps (`DeleteApp`), instances
/// (`DeleteInstance`), then the layers of stacks whose instances are all deleted
/// (`DeleteLayer`), then the stacks left empty (`DeleteStack`). A resource whose deletion
/// failed, or was not asked for because something of its stack was left, is listed in
/// [`Cleanup::remaining`] with the reason.
pub async fn cleanup(config: &ProvisionConfig, created: &[Resource]) -> Cleanup {
    let client = config.client();
    let mut cleanup = Cleanup::default();
    for kind in [
        ResourceKind::App,
        ResourceKind::Instance,
        ResourceKind::Layer,
        ResourceKind::Stack,
    ] {
        for resource in created.iter().filter(|resource| resource.kind == kind) {
            // A layer waits for the instances of its stack; a stack for all of it.
            let left = |other: ResourceKind| {
                cleanup.remaining.iter().any(|remaining| {
                    remaining.resource.stack_id == resource.stack_id
                        && remaining.resource.kind == other
                })
            };
            let waits_for = match kind {
                ResourceKind::App | ResourceKind::Instance => None,
                ResourceKind::Layer => left(ResourceKind::Instance).then_some("an instance"),
                ResourceKind::Stack => [
                    (ResourceKind::App, "an app"),
                    (ResourceKind::Instance, "an instance"),
                    (ResourceKind::Layer, "a layer"),
                ]
                .into_iter()
                .find(|(other, _)| left(*other))
                .map(|(_, what)| what),
            };
            if let Some(what) = waits_for {
                cleanup.remaining.push(Remaining {
                    resource: resource.clone(),
                    reason: format!(
                        "{} not sent: {what} of its stack is left",
                        kind.delete_operation()
                    ),
                });
                continue;
            }
            let id = resource.id.as_str();
            let outcome = match kind {
                ResourceKind::App => client
                    .delete_app()
                    .app_id(id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| config.answer(&error)),
                ResourceKind::Instance => client
                    .delete_instance()
                    .instance_id(id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| config.answer(&error)),
                ResourceKind::Layer => client
                    .delete_layer()
                    .layer_id(id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| config.answer(&error)),
                ResourceKind::Stack => client
                    .delete_stack()
                    .stack_id(id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| config.answer(&error)),
            };
            cleanup.calls.push(Call {
                operation: kind.delete_operation(),
                id: Some(resource.id.clone()),
                failure: outcome.as_ref().err().cloned(),
            });
            match outcome {
                Ok(()) => cleanup.deleted.push(resource.clone()),
                Err(answer) => cleanup.remaining.push(Remaining {
                    resource: resource.clone(),
                    reason: format!("{}: {answer}", kind.delete_operation()),
                }),
            }
        }
    }
    // In the order of creation.
    let position = |resource: &Resource| {
        created
            .iter()
            .position(|created| created == resource)
            .unwrap_or(usize::MAX)
    };
    cleanup
        .remaining
        .sort_by_key(|remaining| position(&remaining.resource));
    cleanup
}
