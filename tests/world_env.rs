//! A world user's secret from the environment: `"SecretAccessKey": {"env": "VARIABLE"}`
//! (issue 21), read when the world is read, never shown.

use std::ffi::OsString;

use opsworks_conformance::world::{World, WorldError};

const SECRET: &str = "s3cret-from-the-environment-0123456789";

fn user_world(secret: &str) -> String {
    format!(
        r#"{{"Stacks": [{{"StackId": "s1"}}],
            "Users": [{{"AccessKeyId": "AKIDPLAIN", "SecretAccessKey": "plain-secret"}},
                      {{"AccessKeyId": "AKIDENV", "SecretAccessKey": {secret},
                        "Permissions": [{{"StackId": "s1", "Level": "deploy"}}]}}]}}"#
    )
}

fn env_of(name: &'static str, value: Option<&'static str>) -> impl Fn(&str) -> Option<OsString> {
    move |asked| {
        (asked == name)
            .then_some(value)
            .flatten()
            .map(OsString::from)
    }
}

#[test]
fn the_secret_is_read_from_the_variable() {
    let world = World::from_json_with_env(
        &user_world(r#"{"env": "DEPLOYER_SECRET"}"#),
        env_of("DEPLOYER_SECRET", Some(SECRET)),
    )
    .expect("a valid world");
    assert_eq!(world.users[0].secret_access_key, "plain-secret");
    assert_eq!(world.users[1].secret_access_key, SECRET);
    assert_eq!(
        world.user("AKIDENV").map(|user| user.permissions.len()),
        Some(1)
    );
    assert!(!format!("{world:?}").contains(SECRET));
}

#[test]
fn a_variable_that_cannot_be_used_is_refused_naming_it_without_its_value() {
    let text = user_world(r#"{"env": "DEPLOYER_SECRET"}"#);
    for (name, value, found) in [
        ("DEPLOYER_SECRET", None, "it is not set"),
        ("DEPLOYER_SECRET", Some(""), "it is empty"),
        ("OTHER", Some(SECRET), "it is not set"),
    ] {
        let error = World::from_json_with_env(&text, env_of(name, value)).expect_err("refused");
        assert_eq!(error.member(), Some("Users[1].SecretAccessKey.env"));
        assert_eq!(
            error.to_string(),
            format!(
                "world file: Users[1].SecretAccessKey.env: expected the environment variable \"DEPLOYER_SECRET\" to hold the secret access key, found {found}"
            )
        );
        assert!(matches!(error, WorldError::SecretVariable { .. }));
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let error = World::from_json_with_env(&text, |_| Some(OsString::from_vec(vec![0xff])))
            .expect_err("not UTF-8");
        assert!(
            error
                .to_string()
                .ends_with("found a value that is not UTF-8"),
            "{error}"
        );
    }
}

#[test]
fn a_secret_reference_of_the_wrong_shape_is_refused_naming_the_member() {
    for (secret, member, message) in [
        (
            r#"{"env": 5}"#,
            "Users[1].SecretAccessKey.env",
            "expected a string, found the number 5",
        ),
        (
            r#"{"env": ""}"#,
            "Users[1].SecretAccessKey.env",
            "expected the name of an environment variable, found \"\"",
        ),
        (
            r#"{"env": "A=B"}"#,
            "Users[1].SecretAccessKey.env",
            "expected the name of an environment variable, found \"A=B\"",
        ),
        (
            r#"{"env": "A", "default": "x"}"#,
            "Users[1].SecretAccessKey.default",
            "expected one of the members `env`, found the unknown member \"default\"",
        ),
        (
            r#"{}"#,
            "Users[1].SecretAccessKey.env",
            "expected a string, found no such member",
        ),
        (
            "7",
            "Users[1].SecretAccessKey",
            "expected a string or {\"env\": \"VARIABLE\"}, found a number",
        ),
    ] {
        let error = World::from_json_with_env(&user_world(secret), |_| Some(SECRET.into()))
            .expect_err(secret);
        assert_eq!(error.member(), Some(member), "{secret}: {error}");
        assert!(error.to_string().ends_with(message), "{secret}: {error}");
    }
}

#[cfg(feature = "cli")]
#[path = "support/temp_dir.rs"]
mod temp_dir;

#[cfg(feature = "cli")]
mod cli {
    use std::process::{Command, Stdio};

    use serde_json::{Value, json};

    use super::temp_dir::TempDir;

    const BINARY: &str = env!("CARGO_BIN_EXE_opsworks-conformance");

    /// The bundled world with users, each secret moved to a variable of its own.
    fn world_with_env_secrets() -> (String, Vec<(String, String)>) {
        let mut world: Value =
            serde_json::from_str(opsworks_conformance::world::WITH_USERS_WORLD_JSON)
                .expect("the bundled world");
        let mut variables = Vec::new();
        for (index, user) in world["Users"]
            .as_array_mut()
            .expect("users")
            .iter_mut()
            .enumerate()
        {
            let name = format!("OPSWORKS_CONFORMANCE_TEST_SECRET_{index}");
            let secret = user["SecretAccessKey"]
                .as_str()
                .expect("a secret")
                .to_owned();
            user["SecretAccessKey"] = json!({ "env": name });
            variables.push((name, secret));
        }
        (world.to_string(), variables)
    }

    /// `run --world` (the reference server started with the same world file) with the secrets
    /// in the environment: the run passes, so the gate and the server read the same secrets, and
    /// no secret is printed or written; without one variable, exit 2 naming it.
    #[test]
    fn the_gate_and_the_server_read_the_secrets_from_the_environment() {
        let dir = TempDir::new("world-env");
        let (text, variables) = world_with_env_secrets();
        let world = dir.write("world.json", &text);
        let json = dir.path("report.json");
        let mut command = Command::new(BINARY);
        command
            .args(["run", "--cases", "400", "--world", &world, "--json"])
            .arg(&json)
            .stdin(Stdio::null());
        for (name, secret) in &variables {
            command.env(name, secret);
        }
        let output = command.output().expect("the binary runs");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
        let report = std::fs::read_to_string(&json).expect("the JSON report");
        let rule = |id: &str| {
            let report: Value = serde_json::from_str(&report).expect("JSON");
            report["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|rule| rule["id"] == id)
                .map(|rule| rule["status"].clone())
        };
        assert_eq!(rule("A-SIGNATURE-VALID"), Some(json!("passed")), "{stdout}");
        assert_eq!(rule("A-PERMISSION"), Some(json!("passed")), "{stdout}");
        for (_, secret) in &variables {
            for (name, text) in [
                ("stdout", &*stdout),
                ("stderr", &*stderr),
                ("report", &report),
            ] {
                assert!(!text.contains(secret.as_str()), "a secret in {name}");
            }
        }

        // Without the last variable: refused before the run, naming the member and variable.
        let mut command = Command::new(BINARY);
        command
            .args(["run", "--cases", "400", "--world", &world])
            .stdin(Stdio::null());
        let (missing, _) = variables.last().expect("users");
        for (name, secret) in &variables {
            if name != missing {
                command.env(name, secret);
            }
        }
        let output = command
            .env_remove(missing)
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!(
                ".SecretAccessKey.env: expected the environment variable \"{missing}\" to hold the secret access key, found it is not set"
            )),
            "{stderr}"
        );
    }
}
