//! Which Azure DevOps organization a credential request is for, and where its PAT API is.

use crate::config::Config;
use crate::protocol::Credential;

/// An Azure DevOps organization git wants a credential for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The host git talks to (lower case, with `:port`).
    pub host: String,
    /// The organization (lower case; Azure DevOps names are case-insensitive).
    pub organization: String,
    /// The PAT API's base URL; `None` for the public service's default.
    pub api_base: Option<String>,
}

impl Target {
    /// The store entry for this host and organization.
    pub fn entry_name(&self) -> String {
        format!("git/{}/{}", self.host, self.organization)
    }
}

/// A request this helper will not answer: a plain-http remote on a host that is not loopback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearTextRefused {
    /// The host git named.
    pub host: String,
}

impl std::fmt::Display for ClearTextRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "refusing to answer for http://{}: git would send the PAT over the network in clear text; \
             use an https remote (plain http is served only for loopback hosts such as 127.0.0.1)",
            self.host
        )
    }
}

/// The target of `request`, `Ok(None)` when it is not for an Azure DevOps host this helper
/// serves (git then asks the next helper), or an error when it is for a configured host over
/// plain http to a host that is not loopback.
///
/// - `https://dev.azure.com/{org}/…`: the organization is the first path segment (git sends
///   the path only with `credential.useHttpPath`); without a path, the username git has (URLs
///   like `https://{org}@dev.azure.com/…`), else the configured default organization.
/// - `https://{org}.visualstudio.com/…`: the organization is the first host label.
/// - a configured extra host (Azure DevOps Server, the emulator): like dev.azure.com, over
///   https, or over http when the host is loopback (`localhost`, `127.0.0.0/8`, `[::1]`), with
///   the PAT API on the same host unless an API URL is configured.
pub fn resolve(request: &Credential, config: &Config) -> Result<Option<Target>, ClearTextRefused> {
    let (Some(protocol), Some(host)) = (request.protocol.as_deref(), request.host.as_deref()) else {
        return Ok(None);
    };
    let host = host.to_ascii_lowercase();
    let extra = config.hosts.contains(&host);
    match protocol {
        "https" => {}
        "http" if extra && is_loopback(&host) => {}
        "http" if extra => return Err(ClearTextRefused { host }),
        _ => return Ok(None),
    }
    let from_path = || {
        let first = request.path.as_deref().and_then(|p| p.trim_start_matches('/').split('/').next());
        first
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .or_else(|| request.username.clone().filter(|u| !u.is_empty()))
            .or_else(|| config.org.clone())
    };
    let organization = if host == "dev.azure.com" || extra {
        let Some(org) = from_path() else { return Ok(None) };
        org
    } else {
        let Some(org) = host.strip_suffix(".visualstudio.com") else { return Ok(None) };
        if org.is_empty() || org.contains('.') {
            return Ok(None);
        }
        org.to_owned()
    };
    let api_base = config.api_url.clone().or_else(|| extra.then(|| format!("{protocol}://{host}")));
    Ok(Some(Target { host, organization: organization.to_ascii_lowercase(), api_base }))
}

/// Whether `host` (`name`, `name:port`, `[v6]:port`) is a loopback address or `localhost`.
pub fn is_loopback(host: &str) -> bool {
    match url::Url::parse(&format!("http://{host}/")).ok().as_ref().and_then(url::Url::host) {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn config(extra: &[&str]) -> Config {
        let mut args = vec!["git-credential-patkit", "--store", "/nonexistent"];
        for h in extra {
            args.extend(["--host", h]);
        }
        args.push("get");
        crate::config::Args::try_parse_from(args).unwrap().into_config().unwrap()
    }

    /// The target of git's `text`, for a helper configured with the `extra` hosts.
    fn target(text: &str, extra: &[&str]) -> Option<Target> {
        resolve(&Credential::parse(text.as_bytes()).unwrap(), &config(extra)).unwrap()
    }

    #[test]
    fn dev_azure_com_takes_the_first_path_segment() {
        let t = target("protocol=https\nhost=dev.azure.com\npath=Fabrikam/app/_git/app\n", &[]).unwrap();
        assert_eq!(t, Target { host: "dev.azure.com".into(), organization: "fabrikam".into(), api_base: None });
        assert_eq!(t.entry_name(), "git/dev.azure.com/fabrikam");
        let by_user = target("protocol=https\nhost=dev.azure.com\nusername=contoso\n", &[]).unwrap();
        assert_eq!(by_user.organization, "contoso");
        assert_eq!(target("protocol=https\nhost=dev.azure.com\n", &[]), None);
    }

    #[test]
    fn visualstudio_com_takes_the_host_label() {
        let t = target("protocol=https\nhost=contoso.visualstudio.com\n", &[]).unwrap();
        assert_eq!(t.organization, "contoso");
        assert_eq!(target("protocol=https\nhost=a.b.visualstudio.com\n", &[]), None);
    }

    #[test]
    fn other_hosts_and_plain_http_are_not_ours_unless_configured() {
        assert_eq!(target("protocol=https\nhost=github.com\npath=o/r\n", &[]), None);
        assert_eq!(target("protocol=http\nhost=dev.azure.com\npath=o/r\n", &[]), None);
        let t = target("protocol=http\nhost=127.0.0.1:8080\npath=fabrikam/r.git\n", &["127.0.0.1:8080"]).unwrap();
        assert_eq!(t.api_base.as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(t.organization, "fabrikam");
        for loopback in ["localhost:8080", "[::1]:8080", "127.1.2.3"] {
            let text = format!("protocol=http\nhost={loopback}\npath=fabrikam/r.git\n");
            assert!(target(&text, &[loopback]).is_some(), "{loopback}");
        }
    }

    #[test]
    fn plain_http_to_a_configured_remote_host_is_refused() {
        for host in ["ado.example.com", "10.0.0.8:8080", "localhost.example.com", "[::2]:80"] {
            let request =
                Credential::parse(format!("protocol=http\nhost={host}\npath=fabrikam/r\n").as_bytes()).unwrap();
            let refused = resolve(&request, &config(&[host])).unwrap_err();
            assert!(refused.to_string().contains("clear text"), "{refused}");
            let https = format!("protocol=https\nhost={host}\npath=fabrikam/r\n");
            assert!(target(&https, &[host]).is_some(), "https to {host} is served");
        }
    }
}
