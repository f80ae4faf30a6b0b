//! The clients of the providers other than Azure DevOps, from the settings: where the instance
//! is (`--host`, `--base-url`) and where the management credential comes from (a variable with
//! a GitLab PAT, a password asked once for Gitea, Forgejo and Bitbucket, a GitHub App).

use std::sync::Arc;

use patkit::bitbucket::BitbucketClient;
use patkit::gitea::{Flavor, GiteaClient};
use patkit::github::{AppKey, GitHubApp, GitHubClient, GitHubCredential};
use patkit::gitlab::{GitLabClient, GitLabCredential};

use crate::app::Connected;
use crate::failure::{Class, Failure};
use crate::profile::Settings;
use crate::provider::{Kind, scheme_for};

/// The instance's host: `--host`, else the provider's public one.
fn host(kind: Kind, settings: &Settings) -> Result<String, Failure> {
    match (&settings.host, kind) {
        (Some(host), _) => Ok(host.clone()),
        (None, Kind::GitLab) => Ok("gitlab.com".into()),
        (None, Kind::GitHub) => Ok("github.com".into()),
        (None, _) => Err(Failure::usage(format!("{kind} needs the instance: pass --host HOST or use a --profile"))),
    }
}

/// The token API's base URL: `--base-url`, else the provider's path on the host.
pub fn api_url(kind: Kind, settings: &Settings) -> Result<String, Failure> {
    if let Some(url) = &settings.base_url {
        return Ok(url.clone());
    }
    let host = host(kind, settings)?;
    Ok(kind.api_url(scheme_for(&host), &host))
}

/// The value of the variable holding the management token.
fn token(settings: &Settings, what: &str) -> Result<String, Failure> {
    match std::env::var(&settings.token_var) {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => {
            Err(Failure::new(Class::Auth, format!("no {what}: set {} (or pass --token-var NAME)", settings.token_var)))
        }
    }
}

/// A GitLab client with the PAT from the variable; with `create_for`, an administrator's that
/// creates tokens for that user.
pub fn gitlab(settings: &Settings, create_for: Option<&str>) -> Result<GitLabClient, Failure> {
    let credential = GitLabCredential::private_token(token(settings, "GitLab token")?);
    let mut builder = GitLabClient::builder(credential).base_url(api_url(Kind::GitLab, settings)?);
    if let Some(user) = create_for {
        builder = builder.create_for_user(user);
    }
    Ok(builder.build()?)
}

/// The connection for `kind` (not Azure DevOps, which `App` builds itself).
pub fn connect(kind: Kind, settings: &Settings) -> Result<Connected, Failure> {
    let api = api_url(kind, settings)?;
    tracing::debug!(provider = %kind, base_url = %api, "patctl: settings");
    Ok(match kind {
        Kind::GitLab => {
            let client = gitlab(settings, None)?;
            let mut c = Connected::new(Arc::new(client.clone()));
            c.gitlab = Some(client);
            c
        }
        Kind::Gitea | Kind::Forgejo | Kind::Bitbucket => {
            let user = settings.user.as_deref().ok_or_else(|| {
                Failure::usage(format!("{kind} mints and manages tokens with a password: pass --user NAME"))
            })?;
            let host = host(kind, settings)?;
            let login = crate::askpass::password_login(user, &format!("{}://{host}", scheme_for(&host)), settings.otp);
            if kind == Kind::Bitbucket {
                Connected::new(Arc::new(BitbucketClient::builder(api, login).build()?))
            } else {
                let flavor = if kind == Kind::Forgejo { Flavor::Forgejo } else { Flavor::Gitea };
                Connected::new(Arc::new(GiteaClient::builder(api, login).flavor(flavor).build()?))
            }
        }
        Kind::GitHub => {
            let org = settings
                .org
                .as_deref()
                .ok_or_else(|| Failure::usage("github governs an organization: pass --org ORG"))?;
            let credential = match (&settings.app_id, settings.installation_id, &settings.app_key) {
                (Some(id), Some(installation), Some(key)) => {
                    let key = AppKey::from_pem_file(key)?;
                    GitHubCredential::app(GitHubApp::new(id.clone(), key)?, installation)
                }
                (None, None, None) => GitHubCredential::token(token(settings, "GitHub token")?),
                _ => {
                    return Err(Failure::usage("a GitHub App needs all of --app-id, --installation-id and --app-key"));
                }
            };
            let client = GitHubClient::builder(org, credential).base_url(api).build()?;
            let mut c = Connected::new(Arc::new(client.clone()));
            c.github = Some(client);
            c
        }
        Kind::Azure => return Err(Failure::usage("Azure DevOps is set up by the app")),
    })
}
