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

/// The target of `request`, or `None` when it is not for an Azure DevOps host this helper
/// serves (git then asks the next helper).
///
/// - `https://dev.azure.com/{org}/…`: the organization is the first path segment (git sends
///   the path only with `credential.useHttpPath`); without a path, the username git has (URLs
///   like `https://{org}@dev.azure.com/…`), else the configured default organization.
/// - `https://{org}.visualstudio.com/…`: the organization is the first host label.
/// - a configured extra host (Azure DevOps Server, the emulator): like dev.azure.com, over
///   https or http, with the PAT API on the same host unless an API URL is configured.
pub fn resolve(request: &Credential, config: &Config) -> Option<Target> {
    let protocol = request.protocol.as_deref()?;
    let host = request.host.as_deref()?.to_ascii_lowercase();
    let extra = config.hosts.contains(&host);
    if protocol != "https" && !(extra && protocol == "http") {
        return None;
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
        from_path()?
    } else {
        let org = host.strip_suffix(".visualstudio.com")?;
        if org.is_empty() || org.contains('.') {
            return None;
        }
        org.to_owned()
    };
    let api_base = config.api_url.clone().or_else(|| extra.then(|| format!("{protocol}://{host}")));
    Some(Target { host, organization: organization.to_ascii_lowercase(), api_base })
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

    fn request(text: &str) -> Credential {
        Credential::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn dev_azure_com_takes_the_first_path_segment() {
        let t = resolve(&request("protocol=https\nhost=dev.azure.com\npath=Fabrikam/app/_git/app\n"), &config(&[]))
            .unwrap();
        assert_eq!(t, Target { host: "dev.azure.com".into(), organization: "fabrikam".into(), api_base: None });
        assert_eq!(t.entry_name(), "git/dev.azure.com/fabrikam");
        let by_user =
            resolve(&request("protocol=https\nhost=dev.azure.com\nusername=contoso\n"), &config(&[])).unwrap();
        assert_eq!(by_user.organization, "contoso");
        assert_eq!(resolve(&request("protocol=https\nhost=dev.azure.com\n"), &config(&[])), None);
    }

    #[test]
    fn visualstudio_com_takes_the_host_label() {
        let t = resolve(&request("protocol=https\nhost=contoso.visualstudio.com\n"), &config(&[])).unwrap();
        assert_eq!(t.organization, "contoso");
        assert_eq!(resolve(&request("protocol=https\nhost=a.b.visualstudio.com\n"), &config(&[])), None);
    }

    #[test]
    fn other_hosts_and_plain_http_are_not_ours_unless_configured() {
        assert_eq!(resolve(&request("protocol=https\nhost=github.com\npath=o/r\n"), &config(&[])), None);
        assert_eq!(resolve(&request("protocol=http\nhost=dev.azure.com\npath=o/r\n"), &config(&[])), None);
        let t = resolve(
            &request("protocol=http\nhost=127.0.0.1:8080\npath=fabrikam/r.git\n"),
            &config(&["127.0.0.1:8080"]),
        )
        .unwrap();
        assert_eq!(t.api_base.as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(t.organization, "fabrikam");
    }
}
