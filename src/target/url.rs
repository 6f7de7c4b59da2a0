//! Endpoint URLs as [`HttpTarget`](crate::target::HttpTarget) and `SdkTarget` take them.

use http::Uri;
use http::uri::{PathAndQuery, Scheme};

/// Checks an endpoint URL: an absolute `http://` or `https://` URL with a host and no user name
/// or password. Gives its host (lower case; an IPv6 address in brackets), its port (the
/// scheme's default when it names none) and the URL with a path (`/` when it has none); or
/// what was found instead.
pub(crate) fn parse_http_url(text: &str) -> Result<(String, u16, Uri), String> {
    let Some((scheme, _)) = text.split_once("://") else {
        return Err(match text.split_once(':') {
            Some((scheme, _)) if is_scheme(scheme) => format!("the scheme {scheme:?}"),
            _ => "a URL that does not parse (no scheme)".to_owned(),
        });
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(format!("the scheme {scheme:?}"));
    }
    let uri: Uri = text
        .parse()
        .map_err(|error| format!("a URL that does not parse ({error})"))?;
    let Some(authority) = uri.authority() else {
        return Err("a URL that does not parse (no host)".to_owned());
    };
    if authority.as_str().contains('@') {
        return Err(
            "a user name or password (requests are authenticated with SigV4, not in the URL)"
                .to_owned(),
        );
    }
    let host = authority.host().to_ascii_lowercase();
    if host.is_empty() || host == "[]" {
        return Err("no host".to_owned());
    }
    let port = match authority.port_u16() {
        Some(port) => port,
        None if scheme == "https" => 443,
        None => 80,
    };
    let path = match uri.path_and_query() {
        Some(path) if !path.as_str().is_empty() && path.as_str() != "?" => path.clone(),
        _ => PathAndQuery::from_static("/"),
    };
    let uri = Uri::builder()
        .scheme(if scheme == "https" {
            Scheme::HTTPS
        } else {
            Scheme::HTTP
        })
        .authority(authority.clone())
        .path_and_query(path)
        .build()
        .map_err(|error| format!("a URL that does not parse ({error})"))?;
    Ok((host, port, uri))
}

/// Whether `text` is a URL scheme: a letter, then letters, digits, `+`, `-` or `.`.
fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let ok = |text: &str| {
            parse_http_url(text).map(|(host, port, uri)| (host, port, uri.to_string()))
        };
        assert_eq!(
            ok("http://127.0.0.1:8080"),
            Ok((
                "127.0.0.1".to_owned(),
                8080,
                "http://127.0.0.1:8080/".to_owned()
            ))
        );
        assert_eq!(
            ok("HTTPS://Example.COM"),
            Ok((
                "example.com".to_owned(),
                443,
                "https://Example.COM/".to_owned()
            ))
        );
        assert_eq!(
            ok("http://[::1]:9000/x?y=1"),
            Ok((
                "[::1]".to_owned(),
                9000,
                "http://[::1]:9000/x?y=1".to_owned()
            ))
        );
        for (text, found) in [
            ("ftp://127.0.0.1/", "the scheme \"ftp\""),
            ("unix:/tmp/socket", "the scheme \"unix\""),
            ("127.0.0.1:8080", "does not parse"),
            ("not a url", "does not parse"),
            ("http://", "does not parse"),
            ("http://user:pw@host/", "user name or password"),
        ] {
            let error = parse_http_url(text).expect_err(text);
            assert!(error.contains(found), "{text}: {error}");
        }
    }
}
