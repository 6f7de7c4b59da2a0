//! `axum-mock [PORT] [WORLD.json]`: serves the mock on `127.0.0.1:PORT` (0, the default: a free
//! port) and prints `listening on http://127.0.0.1:PORT`. With a world file (the format of
//! opsworks-conformance's `worlds/*.json`), the store starts with its stacks; without one, it
//! starts empty.

use std::process::ExitCode;

use axum_mock::Store;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct World {
    #[serde(default)]
    stacks: Vec<Stack>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Stack {
    stack_id: String,
    #[serde(default)]
    apps: Vec<App>,
    #[serde(default)]
    layers: Vec<Layer>,
    #[serde(default)]
    instances: Vec<Instance>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct App {
    app_id: String,
    #[serde(rename = "Type")]
    app_type: String,
    versions: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Layer {
    layer_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Instance {
    instance_id: String,
    #[serde(default)]
    layer_ids: Vec<String>,
}

/// A store holding the stacks of a world file.
fn load(path: &str) -> Result<Store, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{path}: {error}"))?;
    let world: World = serde_json::from_str(&text).map_err(|error| format!("{path}: {error}"))?;
    let store = Store::new();
    for stack in world.stacks {
        let id = &stack.stack_id;
        store.add_stack(id);
        let added: Result<(), axum_mock::StoreError> = (|| {
            for app in &stack.apps {
                store.add_app(id, &app.app_id, &app.app_type, app.versions.unwrap_or(1))?;
            }
            for layer in &stack.layers {
                store.add_layer(id, &layer.layer_id)?;
            }
            for instance in &stack.instances {
                let layers: Vec<&str> = instance.layer_ids.iter().map(String::as_str).collect();
                store.add_instance(id, &instance.instance_id, &layers)?;
            }
            Ok(())
        })();
        added.map_err(|error| format!("{path}: stack {id:?}: {error}"))?;
    }
    Ok(store)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let port = match args.next().map(|port| port.parse::<u16>()) {
        None => 0,
        Some(Ok(port)) => port,
        Some(Err(error)) => {
            eprintln!("usage: axum-mock [PORT] [WORLD.json]: bad port: {error}");
            return ExitCode::from(2);
        }
    };
    let store = match args.next() {
        None => Store::new(),
        Some(path) => match load(&path) {
            Ok(store) => store,
            Err(error) => {
                eprintln!("axum-mock: {error}");
                return ExitCode::from(2);
            }
        },
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("axum-mock: cannot listen on 127.0.0.1:{port}: {error}");
            return ExitCode::from(2);
        }
    };
    match listener.local_addr() {
        Ok(address) => println!("listening on http://{address}"),
        Err(error) => eprintln!("axum-mock: {error}"),
    }
    if let Err(error) = axum::serve(listener, axum_mock::router(store)).await {
        eprintln!("axum-mock: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
