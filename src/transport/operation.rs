/// The operation a request serves, carried in the request's [`http::Extensions`].
///
/// Transport wrappers (retry, tracing, metrics) read it to know what they carry, e.g. that a
/// [`Operation::Create`] must never be sent twice.
///
/// ```
/// use patkit::transport::Operation;
/// let mut request = http::Request::new(Vec::<u8>::new());
/// request.extensions_mut().insert(Operation::Revoke);
/// assert_eq!(Operation::of(&request), Some(Operation::Revoke));
/// assert!(Operation::Revoke.is_idempotent());
/// assert!(!Operation::Create.is_idempotent());
/// assert!(!Operation::StoreConditionalWrite.is_idempotent());
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Create a PAT. Not idempotent: a repeat may mint a second live token.
    Create,
    /// Get one PAT's metadata.
    Get,
    /// List a page of PATs.
    List,
    /// Update a PAT (rename, rescope, change expiry). Idempotent: it sets values.
    Update,
    /// Revoke a PAT. Idempotent.
    Revoke,
    /// Check that a PAT works (a call authenticated *with* the PAT).
    CheckToken,
    /// Token Admin: list a user's PATs.
    AdminListPats,
    /// Token Admin: revoke authorizations in bulk. Idempotent.
    AdminRevoke,
    /// Token Admin: create a revocation rule. Treated as not idempotent.
    AdminCreateRevocationRule,
    /// A token store reading over HTTP (Vault/OpenBao).
    StoreRead,
    /// A token store writing over HTTP unconditionally (a plain put, a delete, a destroy of old
    /// versions): sending it twice leaves the same state as sending it once, so it is idempotent.
    StoreWrite,
    /// A token store's *conditional* write over HTTP (compare-and-set against a version). Not
    /// idempotent: if a first attempt landed, a repeat is refused as a conflict, which would
    /// turn a success into a false "someone else changed it". Once it may have reached the
    /// server it is never re-sent; the store reports the uncertain outcome instead.
    StoreConditionalWrite,
}

impl Operation {
    /// The operation recorded in `request`'s extensions, if any.
    pub fn of<B>(request: &http::Request<B>) -> Option<Self> {
        request.extensions().get::<Self>().copied()
    }

    /// Whether sending the request twice has the same effect as sending it once.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Self::Create | Self::AdminCreateRevocationRule | Self::StoreConditionalWrite)
    }

    /// Whether this is a Token Admin call (organization administrators only).
    pub fn is_token_admin(self) -> bool {
        matches!(self, Self::AdminListPats | Self::AdminRevoke | Self::AdminCreateRevocationRule)
    }

    /// Whether responses to this operation may carry a secret (their bodies are never quoted).
    pub fn is_sensitive(self) -> bool {
        matches!(self, Self::Create | Self::StoreRead)
    }

    /// A short name for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Get => "get",
            Self::List => "list",
            Self::Update => "update",
            Self::Revoke => "revoke",
            Self::CheckToken => "check_token",
            Self::AdminListPats => "admin_list_pats",
            Self::AdminRevoke => "admin_revoke",
            Self::AdminCreateRevocationRule => "admin_create_revocation_rule",
            Self::StoreRead => "store_read",
            Self::StoreWrite => "store_write",
            Self::StoreConditionalWrite => "store_conditional_write",
        }
    }
}
