//! Which provider and account a credential request is for, and where its token API is.

use crate::config::Config;
use crate::protocol::Credential;
use crate::provider::Kind;

/// A host (and, for Azure DevOps, an organization) git wants a credential for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The provider serving the host.
    pub provider: Kind,
    /// `https`, or `http` for a loopback host.
    pub scheme: String,
    /// The host git talks to (lower case, with `:port`).
    pub host: String,
    /// Azure DevOps: the organization (lower case; Azure DevOps names are case-insensitive).
    /// Other providers: the host.
    pub organization: String,
    /// The token API's base URL; `None` for Azure DevOps' default.
    pub api_base: Option<String>,
}

impl Target {
    /// The store entry for this host and organization (Azure DevOps), or for this host and
    /// account (`user`; the other providers).
    pub fn entry_name(&self) -> String {
        format!("git/{}/{}", self.host, self.organization)
    }

    /// The store entry of `user`'s token on a host of a provider other than Azure DevOps.
    pub fn account_entry(&self, user: &str) -> String {
        format!("{}@{user}", self.account_prefix())
    }

    /// What every [`account_entry`](Self::account_entry) of this host starts with.
    pub fn account_prefix(&self) -> String {
        format!("git/{}/{}/", self.provider, self.host)
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

/// The target of `request`, `Ok(None)` when it is not for a host this helper serves (git then
/// asks the next helper), or an error when it is for a configured host over plain http to a host
/// that is not loopback.
///
/// The provider is `--provider` when given, else `credential.<url>.provider` in git's config
/// (read with `git config --get-urlmatch`, so the usual URL matching applies), else the one a
/// well-known host names ([`Kind::from_host`]), else, for a `--host`, Azure DevOps (Server).
///
/// - `https://dev.azure.com/{org}/…`: the organization is the first path segment (git sends
///   the path only with `credential.useHttpPath`); without a path, the username git has (URLs
///   like `https://{org}@dev.azure.com/…`), else the configured default organization.
/// - `https://{org}.visualstudio.com/…`: the organization is the first host label.
/// - a configured extra host (Azure DevOps Server, a self-managed forge, an emulator): over
///   https, or over http when the host is loopback (`localhost`, `127.0.0.0/8`, `[::1]`), with
///   the token API on the same host unless an API URL is configured.
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
    let known = Kind::from_host(&host);
    let provider = match config.provider.or_else(|| configured_provider(config, protocol, &host, request)) {
        Some(p) => p,
        None => match known {
            Some(p) => p,
            None if extra => Kind::Azure,
            None => return Ok(None),
        },
    };
    // A well-known host of another provider is never this one's (a misplaced `--provider`).
    if known.is_some_and(|k| k != provider) && !extra {
        return Ok(None);
    }
    if provider != Kind::Azure {
        let api_base = config.api_url.clone().unwrap_or_else(|| provider.api_url(protocol, &host));
        return Ok(Some(Target {
            provider,
            scheme: protocol.to_owned(),
            organization: host.clone(),
            host,
            api_base: Some(api_base),
        }));
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
    Ok(Some(Target {
        provider,
        scheme: protocol.to_owned(),
        host,
        organization: organization.to_ascii_lowercase(),
        api_base,
    }))
}

/// `credential.<url>.provider` from git's config for this request's URL, if set (and valid).
/// Asked only when `--provider` is not given; without git, or outside any config, `None`.
fn configured_provider(config: &Config, protocol: &str, host: &str, request: &Credential) -> Option<Kind> {
    if config.no_git_config {
        return None;
    }
    let url = format!("{protocol}://{host}/{}", request.path.as_deref().unwrap_or_default());
    let output = std::process::Command::new("git")
        .args(["config", "--get-urlmatch", "credential.provider", &url])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let value = String::from_utf8_lossy(&output.stdout);
    match value.trim().parse() {
        Ok(kind) => Some(kind),
        Err(e) => {
            eprintln!("git-credential-patkit: credential.provider for {protocol}://{host}: {e}");
            None
        }
    }
}

pub use crate::provider::is_loopback;

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn config(extra: &[&str]) -> Config {
        let mut args = vec!["git-credential-patkit", "--store", "/nonexistent", "--no-git-config"];
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
        assert_eq!(
            t,
            Target {
                provider: Kind::Azure,
                scheme: "https".into(),
                host: "dev.azure.com".into(),
                organization: "fabrikam".into(),
                api_base: None
            }
        );
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
        assert_eq!(target("protocol=https\nhost=code.example\npath=o/r\n", &[]), None);
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
    fn other_providers_by_host_or_flag() {
        let t = target("protocol=https\nhost=gitlab.com\npath=group/app.git\n", &[]).unwrap();
        assert_eq!((t.provider, t.api_base.as_deref()), (Kind::GitLab, Some("https://gitlab.com/api/v4")));
        assert_eq!(t.account_entry("alice"), "git/gitlab/gitlab.com/@alice");
        let t = target("protocol=https\nhost=github.com\npath=o/r\n", &[]).unwrap();
        assert_eq!((t.provider, t.api_base.as_deref()), (Kind::GitHub, Some("https://api.github.com")));
        // An unknown host needs --host; with it and no provider it is an Azure DevOps Server.
        assert_eq!(target("protocol=https\nhost=code.example\npath=o/r\n", &[]), None);
        assert_eq!(
            target("protocol=https\nhost=code.example\npath=o/r\n", &["code.example"]).unwrap().provider,
            Kind::Azure
        );
        let mut config = config(&["127.0.0.1:3000"]);
        config.provider = Some(Kind::Forgejo);
        let request = Credential::parse(b"protocol=http\nhost=127.0.0.1:3000\npath=o/r\n").unwrap();
        let t = resolve(&request, &config).unwrap().unwrap();
        assert_eq!((t.provider, t.api_base.as_deref()), (Kind::Forgejo, Some("http://127.0.0.1:3000/api/v1")));
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
