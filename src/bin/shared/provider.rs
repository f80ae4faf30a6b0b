//! Which provider a tool talks to: chosen by `--provider`, by a profile or git config key, or by
//! the host (dev.azure.com and *.visualstudio.com are Azure DevOps, gitlab.com is GitLab,
//! github.com is GitHub; any other host needs to be told).

/// A provider both tools can work with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Azure DevOps: PATs minted with a Microsoft Entra user token.
    Azure,
    /// GitLab: a stored PAT kept alive by rotating it.
    GitLab,
    /// Gitea: tokens minted with the account's password.
    Gitea,
    /// Forgejo (Gitea's fork; the one-time code travels in its own header).
    Forgejo,
    /// Bitbucket Data Center: HTTP access tokens minted with the account's password.
    Bitbucket,
    /// GitHub: organization governance (grants, requests, SAML authorizations); a user's own
    /// tokens cannot be made or listed by any API.
    GitHub,
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "azure" | "azure-devops" | "ado" => Ok(Self::Azure),
            "gitlab" => Ok(Self::GitLab),
            "gitea" => Ok(Self::Gitea),
            "forgejo" => Ok(Self::Forgejo),
            "bitbucket" | "bitbucket-dc" => Ok(Self::Bitbucket),
            "github" => Ok(Self::GitHub),
            other => {
                Err(format!("unknown provider `{other}` (expected azure, gitlab, gitea, forgejo, bitbucket or github)"))
            }
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Kind {
    /// The name `--provider` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Azure => "azure",
            Self::GitLab => "gitlab",
            Self::Gitea => "gitea",
            Self::Forgejo => "forgejo",
            Self::Bitbucket => "bitbucket",
            Self::GitHub => "github",
        }
    }

    /// The provider a well-known host names (`host` lower case, maybe with `:port`), if any.
    pub fn from_host(host: &str) -> Option<Self> {
        let host = host.to_ascii_lowercase();
        let name = host.split(':').next().unwrap_or_default();
        match name {
            "dev.azure.com" | "vssps.dev.azure.com" => Some(Self::Azure),
            "gitlab.com" => Some(Self::GitLab),
            "github.com" | "api.github.com" => Some(Self::GitHub),
            _ if name.strip_suffix(".visualstudio.com").is_some_and(|org| !org.is_empty() && !org.contains('.')) => {
                Some(Self::Azure)
            }
            _ => None,
        }
    }

    /// The API base URL of the instance at `scheme://host` for this provider's client:
    /// `/api/v4` for GitLab, `/api/v1` for Gitea and Forgejo, the host itself for Bitbucket,
    /// `api.github.com` for github.com (`/api/v3` for GitHub Enterprise Server), and the PAT
    /// API's host for Azure DevOps.
    pub fn api_url(self, scheme: &str, host: &str) -> String {
        match self {
            Self::Azure if Self::from_host(host) == Some(Self::Azure) => "https://vssps.dev.azure.com".to_owned(),
            Self::Azure | Self::Bitbucket => format!("{scheme}://{host}"),
            Self::GitLab => format!("{scheme}://{host}/api/v4"),
            Self::Gitea | Self::Forgejo => format!("{scheme}://{host}/api/v1"),
            Self::GitHub if host.eq_ignore_ascii_case("github.com") => "https://api.github.com".to_owned(),
            Self::GitHub => format!("{scheme}://{host}/api/v3"),
        }
    }
}

/// Whether `host` (`name`, `name:port`, `[v6]:port`) is a loopback address or `localhost`:
/// `localhost` in any case, a dotted-decimal address in `127.0.0.0/8`, or `[::1]` — the forms
/// the library's URLs accept as loopback (anything else, `127.1` included, is not).
pub fn is_loopback(host: &str) -> bool {
    let (name, port, v6) = match host.strip_prefix('[').and_then(|v6| v6.split_once(']')) {
        Some((ip, rest)) => (ip, rest.strip_prefix(':').unwrap_or(rest), true),
        None => {
            let (name, port) = host.split_once(':').unwrap_or((host, ""));
            (name, port, false)
        }
    };
    let loopback = if v6 {
        name.parse::<std::net::Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
    } else {
        name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
    };
    loopback && (port.is_empty() || port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok())
}

/// `https`, or `http` for a loopback host (an emulator, a tunnel): plain http never leaves the
/// machine.
pub fn scheme_for(host: &str) -> &'static str {
    if is_loopback(host) { "http" } else { "https" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_hosts_name_their_provider_and_others_do_not() {
        assert_eq!(Kind::from_host("dev.azure.com"), Some(Kind::Azure));
        assert_eq!(Kind::from_host("Contoso.VisualStudio.com"), Some(Kind::Azure));
        assert_eq!(Kind::from_host("a.b.visualstudio.com"), None);
        assert_eq!(Kind::from_host("gitlab.com"), Some(Kind::GitLab));
        assert_eq!(Kind::from_host("github.com"), Some(Kind::GitHub));
        assert_eq!(Kind::from_host("gitlab.example.com"), None);
        assert_eq!(Kind::from_host("127.0.0.1:8080"), None);
    }

    #[test]
    fn loopback_hosts_with_or_without_a_port() {
        for yes in ["localhost", "LocalHost:8080", "127.0.0.1", "127.1.2.3:9", "[::1]", "[::1]:8080"] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in ["localhost.evil.com", "10.0.0.1", "[::2]", "::1", "[::1", "[::1]x", "localhost:http", "127.1"] {
            assert!(!is_loopback(no), "{no}");
        }
        assert_eq!((scheme_for("127.0.0.1:8080"), scheme_for("gitlab.com")), ("http", "https"));
    }

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for kind in [Kind::Azure, Kind::GitLab, Kind::Gitea, Kind::Forgejo, Kind::Bitbucket, Kind::GitHub] {
            assert_eq!(kind.name().parse::<Kind>(), Ok(kind));
        }
        assert_eq!("azure-devops".parse::<Kind>(), Ok(Kind::Azure));
        assert!("sourcehut".parse::<Kind>().unwrap_err().contains("expected azure"));
    }

    #[test]
    fn api_urls_follow_each_service() {
        assert_eq!(Kind::GitLab.api_url("https", "gitlab.com"), "https://gitlab.com/api/v4");
        assert_eq!(Kind::Forgejo.api_url("https", "codeberg.org"), "https://codeberg.org/api/v1");
        assert_eq!(Kind::Bitbucket.api_url("http", "127.0.0.1:7990"), "http://127.0.0.1:7990");
        assert_eq!(Kind::GitHub.api_url("https", "github.com"), "https://api.github.com");
        assert_eq!(Kind::GitHub.api_url("https", "ghe.example"), "https://ghe.example/api/v3");
        assert_eq!(Kind::Azure.api_url("https", "dev.azure.com"), "https://vssps.dev.azure.com");
    }
}
