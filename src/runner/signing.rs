//! How the run signs the requests that no rule asks to be signed a particular way.
//!
//! Real endpoints and emulators route requests by their signature (moto sends an unsigned
//! request to S3), so every request is SigV4-signed by default, also in a world without users:
//! with `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`) when they are
//! set, else with the static key of the shared profile (`AWS_PROFILE`, or `default`, in
//! `~/.aws/credentials` or `~/.aws/config`: [`Credentials::from_chain`]), else with a fixed,
//! public test key ([`TEST_ACCESS_KEY_ID`]). Cases whose rule needs an
//! unsigned or badly signed request (A-SIGNATURE-REQUIRED, A-KEY-KNOWN, A-SIGNATURE-VALID and
//! their O-PRECEDENCE variants) still send exactly that; in a world with users every other case
//! is signed by a user of the world, as the world says.

use std::fmt;

/// The access key id of the fixed test key, used when the environment holds no credentials.
/// Public: it grants nothing anywhere, and a report may show it.
pub const TEST_ACCESS_KEY_ID: &str = "AKIDOPSWORKSGATETEST";

/// The secret of the fixed test key. Public (see [`TEST_ACCESS_KEY_ID`]): the `curl` line of a
/// counterexample signed with it spells it out, so that the line replays as it is.
pub const TEST_SECRET_ACCESS_KEY: &str = "opsworks-conformance-public-test-secret";

/// A key to sign requests with. Its [`Debug`] form never shows the secret or the session token.
///
/// ```
/// use opsworks_conformance::runner::Credentials;
/// let key = Credentials::new("AKIDEXAMPLE", "very-secret");
/// assert!(!format!("{key:?}").contains("very-secret"));
/// assert_eq!(key.access_key_id(), "AKIDEXAMPLE");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl Credentials {
    /// A key without a session token.
    #[must_use]
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }

    /// The same key with a session token (sent as `X-Amz-Security-Token`, signed).
    #[must_use]
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// The fixed public test key ([`TEST_ACCESS_KEY_ID`], [`TEST_SECRET_ACCESS_KEY`]).
    #[must_use]
    pub fn test_key() -> Self {
        Credentials::new(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY)
    }

    /// The key in `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN` when
    /// set and not empty), or `None` unless both are set and not empty.
    #[must_use]
    pub fn from_env() -> Option<Self> {
        let read = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let key = Credentials::new(read("AWS_ACCESS_KEY_ID")?, read("AWS_SECRET_ACCESS_KEY")?);
        Some(match read("AWS_SESSION_TOKEN") {
            Some(token) => key.with_session_token(token),
            None => key,
        })
    }

    /// The key of the standard chain, as the AWS SDKs and CLI find a static key: the
    /// environment ([`Credentials::from_env`]), else the shared profile named by `AWS_PROFILE`
    /// (default: `default`) in the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
    /// `~/.aws/credentials`), else in the shared config file (`AWS_CONFIG_FILE`, else
    /// `~/.aws/config`, where it is `[profile NAME]` or `[default]`). `Ok(None)` when none of
    /// them holds a key.
    ///
    /// Only static keys are read (`aws_access_key_id`, `aws_secret_access_key`,
    /// `aws_session_token`): single sign-on, roles and credential processes are not.
    ///
    /// # Errors
    /// When `AWS_PROFILE` names a profile that neither file has, or a profile has an access key
    /// id without a secret (or the reverse), or `AWS_PROFILE` names a profile without a static
    /// key. The message names the profile and the file, never a secret.
    pub fn from_chain() -> Result<Option<Self>, CredentialsError> {
        chain(
            |name| std::env::var(name).ok().filter(|value| !value.is_empty()),
            |path| std::fs::read_to_string(path).ok(),
        )
    }

    /// The access key id (not secret).
    #[must_use]
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// Whether this is the fixed public test key.
    #[must_use]
    pub fn is_test_key(&self) -> bool {
        self.access_key_id == TEST_ACCESS_KEY_ID && self.secret_access_key == TEST_SECRET_ACCESS_KEY
    }

    /// The secret; crate-private, so that no report can format it.
    pub(crate) fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token, if any; crate-private like the secret.
    pub(crate) fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Why the standard chain ([`Credentials::from_chain`]) found no usable key. Its message
/// names the profile and the file, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("AWS credentials: {message}")]
pub struct CredentialsError {
    /// What was expected and what was found.
    pub message: String,
}

/// The standard chain over an environment (`env(name)`: the variable's value, `None` when unset
/// or empty) and a file system (`read(path)`: the file's text, `None` when it cannot be read).
fn chain(
    env: impl Fn(&str) -> Option<String>,
    read: impl Fn(&std::path::Path) -> Option<String>,
) -> Result<Option<Credentials>, CredentialsError> {
    if let (Some(key), Some(secret)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        let key = Credentials::new(key, secret);
        return Ok(Some(match env("AWS_SESSION_TOKEN") {
            Some(token) => key.with_session_token(token),
            None => key,
        }));
    }
    let named = env("AWS_PROFILE");
    let profile = named.clone().unwrap_or_else(|| "default".to_owned());
    let home = env("HOME").or_else(|| env("USERPROFILE"));
    let file = |variable: &str, name: &str| {
        env(variable).map(std::path::PathBuf::from).or_else(|| {
            home.as_ref()
                .map(|home| std::path::Path::new(home).join(".aws").join(name))
        })
    };
    let sources = [
        (file("AWS_SHARED_CREDENTIALS_FILE", "credentials"), false),
        (file("AWS_CONFIG_FILE", "config"), true),
    ];
    let mut found_in = None;
    for (path, is_config) in sources {
        let Some(path) = path else { continue };
        let Some(text) = read(&path) else { continue };
        let Some(properties) = profile_properties(&text, &profile, is_config) else {
            continue;
        };
        let get = |name: &str| {
            properties
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.clone())
                .filter(|value| !value.is_empty())
        };
        match (get("aws_access_key_id"), get("aws_secret_access_key")) {
            (Some(key), Some(secret)) => {
                let key = Credentials::new(key, secret);
                return Ok(Some(match get("aws_session_token") {
                    Some(token) => key.with_session_token(token),
                    None => key,
                }));
            }
            (None, None) => found_in = Some(path),
            (Some(_), None) | (None, Some(_)) => {
                return Err(CredentialsError {
                    message: format!(
                        "profile {profile:?} in {}: expected both aws_access_key_id and aws_secret_access_key, found one of them",
                        path.display()
                    ),
                });
            }
        }
    }
    match (named, found_in) {
        (None, _) => Ok(None),
        (Some(_), Some(path)) => Err(CredentialsError {
            message: format!(
                "AWS_PROFILE={profile:?}: expected a static key (aws_access_key_id, aws_secret_access_key) in the profile, found none in {} (single sign-on, roles and credential processes are not read: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead)",
                path.display()
            ),
        }),
        (Some(_), None) => Err(CredentialsError {
            message: format!(
                "AWS_PROFILE={profile:?}: expected the profile in the shared credentials or config file, found it in neither"
            ),
        }),
    }
}

/// The properties of one profile of a shared credentials or config file (an INI file:
/// `[section]` lines, `name = value` lines, `#` and `;` comment lines), or `None` when the file
/// has no section for it. In a config file a profile's section is `[profile NAME]` (or
/// `[default]`); in a credentials file, `[NAME]`. A section given twice adds to the first.
fn profile_properties(text: &str, profile: &str, is_config: bool) -> Option<Vec<(String, String)>> {
    let mut properties: Option<Vec<(String, String)>> = None;
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[') {
            let name = section.split(']').next().unwrap_or_default().trim();
            let name = if is_config {
                match name.strip_prefix("profile") {
                    Some(rest) if rest.starts_with([' ', '\t']) => rest.trim(),
                    _ if name == "default" => name,
                    _ => "",
                }
            } else {
                name
            };
            inside = !name.is_empty() && name == profile;
            if inside && properties.is_none() {
                properties = Some(Vec::new());
            }
            continue;
        }
        if !inside {
            continue;
        }
        if let (Some((name, value)), Some(properties)) = (line.split_once('='), properties.as_mut())
        {
            // An inline comment starts at ` #` or ` ;`.
            let value = [" #", "\t#", " ;", "\t;"]
                .iter()
                .filter_map(|marker| value.find(marker))
                .min()
                .map_or(value, |end| value.get(..end).unwrap_or(value));
            properties.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    properties
}

/// How the requests that no rule asks to be signed a particular way are sent
/// ([`RunConfig::signing`](crate::runner::RunConfig::signing)): in a world without users, every
/// request; in a world with users, none (they are signed as the world's users).
///
/// ```
/// use opsworks_conformance::runner::{Credentials, DefaultSigning, RunConfig};
/// assert_eq!(RunConfig::default().signing, DefaultSigning::Environment);
/// let config = RunConfig::default().with_signing(DefaultSigning::Unsigned);
/// assert_eq!(config.signing.credentials(), None);
/// let key = DefaultSigning::Key(Credentials::new("AKIDEXAMPLE", "secret"));
/// assert_eq!(key.credentials().unwrap().access_key_id(), "AKIDEXAMPLE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DefaultSigning {
    /// Sent unsigned (`run --unsigned`).
    Unsigned,
    /// Signed with the key of the standard chain ([`Credentials::from_chain`]: the
    /// environment's `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, else the
    /// shared profile `AWS_PROFILE` or `default`), read when the run starts, or with the fixed
    /// test key when the chain holds none (or cannot be read: check it first with
    /// [`Credentials::from_chain`] to report why). The default.
    #[default]
    Environment,
    /// Signed with this key.
    Key(Credentials),
}

impl DefaultSigning {
    /// The key requests are signed with (the environment is read now), or `None` when they are
    /// sent unsigned.
    #[must_use]
    pub fn credentials(&self) -> Option<Credentials> {
        match self {
            DefaultSigning::Unsigned => None,
            DefaultSigning::Environment => Some(
                Credentials::from_chain()
                    .ok()
                    .flatten()
                    .unwrap_or_else(Credentials::test_key),
            ),
            DefaultSigning::Key(key) => Some(key.clone()),
        }
    }
}

/// The header that carries a session token.
pub(crate) const SECURITY_TOKEN_HEADER: &str = "X-Amz-Security-Token";

/// `request` signed with `key` (SigV4, service `opsworks`; see [`crate::sigv4::sign`]), with
/// the key's session token in `X-Amz-Security-Token` (signed) when it has one.
pub(crate) fn sign_with(
    request: &crate::contract::RawRequest,
    key: &Credentials,
    authority: &str,
    region: &str,
    time: std::time::SystemTime,
) -> crate::contract::RawRequest {
    let request = match key.session_token() {
        Some(token) => request
            .clone()
            .without_header(SECURITY_TOKEN_HEADER)
            .with_header(SECURITY_TOKEN_HEADER, token),
        None => request.clone(),
    };
    crate::sigv4::sign(
        &request,
        authority,
        key.access_key_id(),
        key.secret_access_key(),
        region,
        time,
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use super::*;

    /// The chain over this environment and these files.
    fn chain_of(
        env: &[(&str, &str)],
        files: &[(&str, &str)],
    ) -> Result<Option<Credentials>, CredentialsError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        let files: HashMap<String, String> = files
            .iter()
            .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
            .collect();
        chain(
            |name| env.get(name).cloned().filter(|value| !value.is_empty()),
            |path: &Path| files.get(path.to_str().unwrap_or_default()).cloned(),
        )
    }

    const CREDENTIALS: &str = "\
# a comment
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default-secret ; an inline comment

[deployer]
aws_access_key_id=AKIDDEPLOYER
aws_secret_access_key=deployer-secret
aws_session_token=deployer-token
[half]
aws_access_key_id = AKIDHALF
[sso]
sso_start_url = https://example.invalid
";

    #[test]
    fn the_environment_comes_first() {
        let key = chain_of(
            &[
                ("AWS_ACCESS_KEY_ID", "AKIDENV"),
                ("AWS_SECRET_ACCESS_KEY", "env-secret"),
                ("HOME", "/home/u"),
            ],
            &[("/home/u/.aws/credentials", CREDENTIALS)],
        )
        .unwrap()
        .unwrap();
        assert_eq!(key, Credentials::new("AKIDENV", "env-secret"));
    }

    #[test]
    fn the_default_profile_then_a_named_one() {
        let files = [("/home/u/.aws/credentials", CREDENTIALS)];
        let key = chain_of(&[("HOME", "/home/u")], &files).unwrap().unwrap();
        assert_eq!(key, Credentials::new("AKIDDEFAULT", "default-secret"));
        let key = chain_of(&[("HOME", "/home/u"), ("AWS_PROFILE", "deployer")], &files)
            .unwrap()
            .unwrap();
        assert_eq!(
            key,
            Credentials::new("AKIDDEPLOYER", "deployer-secret")
                .with_session_token("deployer-token")
        );
        // An access key id alone in the environment does not hide the profile.
        let key = chain_of(
            &[("HOME", "/home/u"), ("AWS_ACCESS_KEY_ID", "AKIDALONE")],
            &files,
        )
        .unwrap()
        .unwrap();
        assert_eq!(key.access_key_id(), "AKIDDEFAULT");
    }

    #[test]
    fn the_files_can_be_moved_and_the_config_file_is_read_too() {
        let config = "[default]\nregion = us-east-1\n[profile ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = ops-secret\n[ops]\naws_access_key_id = AKIDNOTTHIS\naws_secret_access_key = no\n";
        let key = chain_of(
            &[
                ("AWS_CONFIG_FILE", "/etc/aws-config"),
                ("AWS_PROFILE", "ops"),
            ],
            &[("/etc/aws-config", config)],
        )
        .unwrap()
        .unwrap();
        assert_eq!(key, Credentials::new("AKIDOPS", "ops-secret"));
        // The credentials file wins over the config file.
        let key = chain_of(
            &[
                ("AWS_CONFIG_FILE", "/etc/aws-config"),
                ("AWS_SHARED_CREDENTIALS_FILE", "/etc/aws-credentials"),
                ("AWS_PROFILE", "ops"),
            ],
            &[
                ("/etc/aws-config", config),
                (
                    "/etc/aws-credentials",
                    "[ops]\naws_access_key_id=AKIDCRED\naws_secret_access_key=cred\n",
                ),
            ],
        )
        .unwrap()
        .unwrap();
        assert_eq!(key.access_key_id(), "AKIDCRED");
        // A default profile without keys (only a region) is no key, and no error.
        assert_eq!(
            chain_of(
                &[("AWS_CONFIG_FILE", "/etc/aws-config")],
                &[("/etc/aws-config", config)]
            ),
            Ok(None)
        );
    }

    #[test]
    fn nothing_anywhere_is_no_key() {
        assert_eq!(chain_of(&[], &[]), Ok(None));
        assert_eq!(chain_of(&[("HOME", "/home/u")], &[]), Ok(None));
    }

    #[test]
    fn a_named_profile_that_cannot_be_used_is_an_error_without_secrets() {
        let files = [("/home/u/.aws/credentials", CREDENTIALS)];
        for (profile, expected) in [
            ("missing", "found it in neither"),
            (
                "half",
                "expected both aws_access_key_id and aws_secret_access_key",
            ),
            ("sso", "expected a static key"),
        ] {
            let error = chain_of(&[("HOME", "/home/u"), ("AWS_PROFILE", profile)], &files)
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{profile}: {error}");
            assert!(error.contains(profile), "{error}");
            assert!(!error.contains("-secret"), "{error}");
        }
    }
}
