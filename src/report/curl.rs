//! A `curl` command that replays a counterexample, signing with keys from the environment.

use crate::contract::{RawRequest, Signing, wire};
use crate::runner::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};

/// Quotes a string for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A `curl` command line that sends the request again to `url`. Signed cases use curl's
/// `--aws-sigv4` with the keys read from `$AWS_ACCESS_KEY_ID` and `$AWS_SECRET_ACCESS_KEY` (the
/// secret never appears), and a session token from `$AWS_SESSION_TOKEN` when the request
/// carried one; the computed headers (`Authorization`, `X-Amz-Date`, `Host`) are left to curl.
/// The one exception is the fixed public test key the gate signs with when the environment
/// holds no key ([`TEST_ACCESS_KEY_ID`]): its secret is public, and spelled out so that the
/// line replays as it is. A body that is not printable UTF-8 is sent through `printf '%b'`, every byte
/// as an octal escape `\0ddd`.
///
/// ```
/// use opsworks_conformance::contract::{RawRequest, Signing};
/// use opsworks_conformance::report::curl_command;
/// let command = curl_command("http://127.0.0.1:8080", &RawRequest::json("{}"), &Signing::Unsigned, "us-east-1");
/// assert!(command.starts_with("curl -sS -X POST 'http://127.0.0.1:8080/'"));
/// assert!(command.ends_with("--data-binary '{}'"));
/// ```
#[must_use]
pub fn curl_command(url: &str, request: &RawRequest, signing: &Signing, region: &str) -> String {
    let url = if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    };
    let mut parts = vec![format!("curl -sS -X POST {}", shell_quote(&url))];
    for (name, value) in &request.headers {
        if [
            "authorization",
            "x-amz-date",
            "host",
            "content-length",
            "x-amz-security-token",
        ]
        .contains(&name.to_ascii_lowercase().as_str())
        {
            continue;
        }
        parts.push(format!("-H {}", shell_quote(&format!("{name}: {value}"))));
    }
    if request.header("Content-Type").is_none() {
        // curl adds a form content type of its own unless told otherwise.
        parts.push("-H 'Content-Type:'".to_owned());
    }
    if request.header("X-Amz-Security-Token").is_some() {
        parts.push("-H \"X-Amz-Security-Token: $AWS_SESSION_TOKEN\"".to_owned());
    }
    let user = match signing {
        Signing::Unsigned => None,
        Signing::As(key) if key == TEST_ACCESS_KEY_ID => Some(shell_quote(&format!(
            "{TEST_ACCESS_KEY_ID}:{TEST_SECRET_ACCESS_KEY}"
        ))),
        Signing::As(_) => Some("\"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\"".to_owned()),
        Signing::WrongSecret(_) => Some("\"$AWS_ACCESS_KEY_ID:not-the-secret\"".to_owned()),
        Signing::UnknownKey(key) => Some(shell_quote(&format!("{key}:any-secret"))),
    };
    if let Some(user) = user {
        parts.push(format!(
            "--aws-sigv4 {} --user {user}",
            shell_quote(&format!("aws:amz:{region}:{}", wire::SIGNING_NAME))
        ));
    }
    let printable = std::str::from_utf8(&request.body).ok().filter(|text| {
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    });
    match printable {
        Some(text) => {
            parts.push(format!("--data-binary {}", shell_quote(text)));
            parts.join(" ")
        }
        None => {
            let escaped: String = request
                .body
                .iter()
                // `\0ddd`: the octal escape POSIX defines for `printf %b`.
                .map(|byte| format!("\\0{byte:03o}"))
                .collect();
            format!(
                "printf '%b' '{escaped}' | {} --data-binary @-",
                parts.join(" ")
            )
        }
    }
}
