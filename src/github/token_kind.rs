//! [`TokenKind`]: what a GitHub token is, by its prefix (§4.5).

/// What a GitHub token is, told by its prefix (never by a request).
///
/// ```
/// use patkit::PatSecret;
/// use patkit::github::TokenKind;
/// assert_eq!(TokenKind::of(&PatSecret::new("ghp_16C7e42F292c6912E7710c838347Ae178B4a".into())), TokenKind::Classic);
/// assert_eq!(TokenKind::of(&PatSecret::new("github_pat_11ABC".into())), TokenKind::FineGrained);
/// assert_eq!(TokenKind::of(&PatSecret::new("glpat-xyz".into())), TokenKind::Unknown);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `ghp_`: a classic personal access token.
    Classic,
    /// `github_pat_`: a fine-grained personal access token.
    FineGrained,
    /// `gho_`: an OAuth app token.
    OAuth,
    /// `ghu_`: a GitHub App user-to-server token.
    AppUser,
    /// `ghs_`: a GitHub App installation (server-to-server) token.
    AppInstallation,
    /// `ghr_`: a GitHub App refresh token.
    Refresh,
    /// No GitHub prefix (a token from before 2021, or not GitHub's).
    Unknown,
}

impl TokenKind {
    /// The kind of `token`, by prefix.
    pub fn of(token: &crate::PatSecret) -> Self {
        Self::of_str(token.expose_secret())
    }

    pub(crate) fn of_str(token: &str) -> Self {
        const PREFIXES: [(&str, TokenKind); 6] = [
            ("github_pat_", TokenKind::FineGrained),
            ("ghp_", TokenKind::Classic),
            ("gho_", TokenKind::OAuth),
            ("ghu_", TokenKind::AppUser),
            ("ghs_", TokenKind::AppInstallation),
            ("ghr_", TokenKind::Refresh),
        ];
        PREFIXES.iter().find(|(p, _)| token.starts_with(p)).map_or(Self::Unknown, |(_, k)| *k)
    }

    /// Whether GitHub's leaked-credential revocation (`POST /credentials/revoke`) accepts this
    /// kind: classic and fine-grained PATs, OAuth, user-to-server and refresh tokens.
    pub fn revocable_when_leaked(self) -> bool {
        matches!(self, Self::Classic | Self::FineGrained | Self::OAuth | Self::AppUser | Self::Refresh)
    }

    /// The prefix (`""` for [`Unknown`](Self::Unknown)).
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Classic => "ghp_",
            Self::FineGrained => "github_pat_",
            Self::OAuth => "gho_",
            Self::AppUser => "ghu_",
            Self::AppInstallation => "ghs_",
            Self::Refresh => "ghr_",
            Self::Unknown => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prefix_of_the_sheet() {
        for (token, kind) in [
            ("ghp_abc", TokenKind::Classic),
            ("github_pat_11AAA_bbb", TokenKind::FineGrained),
            ("gho_x", TokenKind::OAuth),
            ("ghu_x", TokenKind::AppUser),
            ("ghs_x", TokenKind::AppInstallation),
            ("ghr_x", TokenKind::Refresh),
            ("ghx_x", TokenKind::Unknown),
            ("", TokenKind::Unknown),
        ] {
            assert_eq!(TokenKind::of_str(token), kind, "{token}");
            assert!(kind == TokenKind::Unknown || token.starts_with(kind.prefix()));
        }
        assert!(!TokenKind::AppInstallation.revocable_when_leaked() && TokenKind::Refresh.revocable_when_leaked());
    }
}
