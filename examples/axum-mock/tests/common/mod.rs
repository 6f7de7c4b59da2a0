//! The conformance world, loaded into the mock's store.

use axum_mock::{Store, StoreError};
use opsworks_conformance::world::World;

/// A store in the state of `world`: its stacks, apps (type, stored versions), layers and
/// instances. The suite expects the target to start in the world's state.
pub fn store_from(world: &World) -> Result<Store, StoreError> {
    let store = Store::new();
    for stack in &world.stacks {
        let stack_id = stack.stack_id.as_str();
        store.add_stack(stack_id);
        for app in &stack.apps {
            // `AppType` has no `as_str`; its serde form is the OpsWorks name (`rails`, ...).
            let app_type = serde_json::to_value(app.app_type)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default();
            store.add_app(stack_id, &app.app_id, &app_type, u32::from(app.versions))?;
        }
        for layer in &stack.layers {
            store.add_layer(stack_id, &layer.layer_id)?;
        }
        for instance in &stack.instances {
            let layers: Vec<&str> = instance.layer_ids.iter().map(String::as_str).collect();
            store.add_instance(stack_id, &instance.instance_id, &layers)?;
        }
    }
    Ok(store)
}
