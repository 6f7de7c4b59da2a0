//! Where the three SDKs of the matrix are and how to start them; shared by the example
//! (`examples/sdk-matrix/main.rs`) and `tests/client_driver.rs` (included with `#[path]`).
//!
//! - aws-sdk-opsworks (Rust): built in, `SdkClient` (feature `sdk`).
//! - botocore 1.40.18 (Python): `examples/python-driver/driver.py`, run by the interpreter named
//!   by `OPSWORKS_CONFORMANCE_PYTHON` (default `python3`); `pip install botocore==1.40.18`.
//! - @aws-sdk/client-opsworks (JavaScript v3): `examples/js-driver/driver.mjs`, run by the
//!   `node` named by `OPSWORKS_CONFORMANCE_NODE` (default `node`); `npm ci` in
//!   `examples/js-driver` installs the version its `package-lock.json` pins.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A path inside the repository.
pub fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The Python interpreter to use.
pub fn python() -> String {
    std::env::var("OPSWORKS_CONFORMANCE_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// The node executable to use.
pub fn node() -> String {
    std::env::var("OPSWORKS_CONFORMANCE_NODE").unwrap_or_else(|_| "node".to_owned())
}

/// Runs `program args`, returns its standard output when it exits 0.
fn output_of(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("{program} does not start ({error})"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(format!(
            "{program} {} exited with {}: {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// The Python version, when it is Python 3.8 or newer.
pub fn python_version() -> Result<String, String> {
    output_of(
        &python(),
        &[
            "-c",
            "import sys; assert sys.version_info >= (3, 8), sys.version; print(sys.version.split()[0])",
        ],
    )
    .map_err(|why| {
        format!(
            "no Python 3.8+ at {:?} ({why}); install python3 or set OPSWORKS_CONFORMANCE_PYTHON",
            python()
        )
    })
}

/// The botocore version, when a botocore that knows OpsWorks is installed.
pub fn botocore_version() -> Result<String, String> {
    output_of(
        &python(),
        &[
            "-c",
            "import botocore, botocore.session; assert 'opsworks' in botocore.session.get_session().get_available_services(), botocore.__version__; print(botocore.__version__)",
        ],
    )
    .map_err(|why| {
        format!(
            "botocore with OpsWorks is not installed for {:?} ({why}); pip install botocore==1.40.18 (.ci/run installs it and sets OPSWORKS_CONFORMANCE_PYTHON)",
            python()
        )
    })
}

/// The version of @aws-sdk/client-opsworks installed in `examples/js-driver`, when node runs
/// and the module is installed.
pub fn js_sdk_version() -> Result<String, String> {
    output_of(&node(), &["--version"]).map_err(|why| {
        format!(
            "no node at {:?} ({why}); install Node.js 18+ or set OPSWORKS_CONFORMANCE_NODE",
            node()
        )
    })?;
    let package =
        manifest_path("examples/js-driver/node_modules/@aws-sdk/client-opsworks/package.json");
    let text = std::fs::read_to_string(&package).map_err(|error| {
        format!(
            "@aws-sdk/client-opsworks is not installed ({}: {error}); run `npm ci` in examples/js-driver (.ci/run does)",
            package.display()
        )
    })?;
    let document: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| format!("{}: not JSON ({error})", package.display()))?;
    document["version"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{}: no version", package.display()))
}

/// The aws-sdk-opsworks version in `Cargo.lock`.
pub fn rust_sdk_version() -> String {
    let lock = std::fs::read_to_string(manifest_path("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"aws-sdk-opsworks\"" {
            if let Some(version) = lines
                .next()
                .and_then(|next| next.strip_prefix("version = \""))
                .and_then(|rest| rest.strip_suffix('"'))
            {
                return version.to_owned();
            }
        }
    }
    "1.x".to_owned()
}

/// The botocore driver's command line.
pub fn botocore_command() -> Vec<String> {
    vec![
        python(),
        manifest_path("examples/python-driver/driver.py")
            .display()
            .to_string(),
    ]
}

/// The JavaScript driver's command line.
pub fn js_command() -> Vec<String> {
    vec![
        node(),
        manifest_path("examples/js-driver/driver.mjs")
            .display()
            .to_string(),
    ]
}

/// Runs the client gate on a driver; the driver must answer every call.
pub async fn driver_column(
    name: String,
    command: &[String],
    config: &opsworks_conformance::client::ClientRunConfig,
) -> Result<opsworks_conformance::client::MatrixColumn, String> {
    use opsworks_conformance::client::{DriverClient, run_column};
    let driver = DriverClient::spawn(command).map_err(|error| error.to_string())?;
    let column = run_column(name, &driver, config)
        .await
        .map_err(|error| error.to_string())?;
    let stopped = driver.stopped().await;
    let answered = driver.answered().await;
    let _ = driver.shutdown().await;
    if let Some(reason) = stopped {
        return Err(format!(
            "driver {:?} stopped answering: {reason}",
            command.join(" ")
        ));
    }
    if answered == 0 {
        return Err(format!("driver {:?} answered no call", command.join(" ")));
    }
    Ok(column)
}

/// The settings of the matrix's runs: the defaults (seed 0).
pub fn matrix_config() -> opsworks_conformance::client::ClientRunConfig {
    opsworks_conformance::client::ClientRunConfig::default()
}

/// The three columns of the matrix: aws-sdk-opsworks, botocore, the JavaScript SDK v3.
#[cfg(feature = "sdk")]
pub async fn matrix_columns() -> Result<Vec<opsworks_conformance::client::MatrixColumn>, String> {
    use opsworks_conformance::client::{SdkClient, run_column};
    let config = matrix_config();
    let botocore = botocore_version()?;
    let js = js_sdk_version()?;
    let rust = run_column(
        format!("aws-sdk-opsworks {} (Rust)", rust_sdk_version()),
        &SdkClient::new(),
        &config,
    )
    .await
    .map_err(|error| error.to_string())?;
    let python = driver_column(
        format!("botocore {botocore} (Python)"),
        &botocore_command(),
        &config,
    )
    .await?;
    let javascript = driver_column(
        format!("@aws-sdk/client-opsworks {js} (JavaScript v3)"),
        &js_command(),
        &config,
    )
    .await?;
    Ok(vec![rust, python, javascript])
}

/// The README's markers around the matrix.
pub const README_BEGIN: &str = "<!-- sdk-matrix: made by `cargo run --example sdk-matrix --all-features -- --update-readme`; do not edit by hand -->";
/// The end marker.
pub const README_END: &str = "<!-- sdk-matrix end -->";

/// The matrix block of a README text (between the markers, without them).
pub fn readme_block(readme: &str) -> Option<&str> {
    let start = readme.find(README_BEGIN)? + README_BEGIN.len();
    let end = start + readme[start..].find(README_END)?;
    Some(readme[start..end].trim_matches('\n'))
}
