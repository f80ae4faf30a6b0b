//! Gitea or Forgejo: the same token API, a different two-factor header.

/// Which forge a [`GiteaClient`](super::GiteaClient) talks to. Forgejo is a hard fork of Gitea
/// with the same token API (fact sheet §3.10); the flavour picks the header that carries a
/// two-factor one-time code. Configured with
/// [`GiteaClientBuilder::flavor`](super::GiteaClientBuilder::flavor); it is not detected.
///
/// ```
/// use patkit::gitea::Flavor;
/// assert_eq!(Flavor::default(), Flavor::Gitea);
/// assert_eq!(Flavor::Gitea.otp_header(), "x-gitea-otp");
/// assert_eq!(Flavor::Forgejo.otp_header(), "x-forgejo-otp");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Flavor {
    /// Gitea: the one-time code goes in `X-Gitea-OTP`.
    #[default]
    Gitea,
    /// Forgejo (e.g. Codeberg): the one-time code goes in `X-Forgejo-OTP`.
    Forgejo,
}

impl Flavor {
    /// The (lower-case) name of the header a one-time code is sent in.
    pub const fn otp_header(self) -> &'static str {
        match self {
            Self::Gitea => "x-gitea-otp",
            Self::Forgejo => "x-forgejo-otp",
        }
    }

    /// The header as the forge documents it, for messages: `X-Gitea-OTP` or `X-Forgejo-OTP`.
    pub(crate) const fn otp_header_display(self) -> &'static str {
        match self {
            Self::Gitea => "X-Gitea-OTP",
            Self::Forgejo => "X-Forgejo-OTP",
        }
    }

    /// The forge's name: `Gitea` or `Forgejo`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Gitea => "Gitea",
            Self::Forgejo => "Forgejo",
        }
    }
}
