/// What a request is, carried in the request's [`http::Extensions`]: a name, whether it may be
/// sent twice, and whether its response may carry a secret.
///
/// Whoever builds the request declares it (a provider's client for its operations, a store for
/// its reads and writes), usually as a constant; transport wrappers (retry, tracing, metrics) read
/// only these properties and never need to know which provider or store a request is for.
///
/// ```
/// use patkit::transport::{Idempotency, Operation};
///
/// const LIST: Operation = Operation::idempotent("list");
/// const CREATE: Operation = Operation::not_idempotent("create").sensitive();
/// const SWAP: Operation = Operation::conditional_write("swap");
///
/// let mut request = http::Request::new(Vec::<u8>::new());
/// request.extensions_mut().insert(CREATE);
/// assert_eq!(Operation::of(&request), Some(CREATE));
/// assert_eq!(CREATE.name(), "create");
/// assert!(CREATE.is_sensitive() && !CREATE.is_idempotent());
/// assert!(LIST.is_idempotent() && !LIST.is_sensitive());
/// assert_eq!(SWAP.idempotency(), Idempotency::ConditionalWrite);
/// assert!(!SWAP.is_idempotent());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    name: &'static str,
    idempotency: Idempotency,
    sensitive: bool,
}

/// Whether sending a request twice has the same effect as sending it once; decides what
/// [`RetryTransport`](super::RetryTransport) may repeat.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// Sending it twice leaves the same state as sending it once (a read, a put that sets
    /// values, a delete): it may be repeated after a timeout or a retryable status.
    Idempotent,
    /// A repeat may do the work twice (a create may mint a second live token): never re-sent
    /// once it may have reached the server.
    NotIdempotent,
    /// A conditional write (compare-and-set against a version). If a first attempt landed, a
    /// repeat is refused as a conflict, which would turn a success into a false "someone else
    /// changed it": never re-sent once it may have reached the server; the caller reports the
    /// uncertain outcome instead.
    ConditionalWrite,
}

impl Operation {
    /// An operation named `name` with the given idempotency, whose responses carry no secret.
    pub const fn new(name: &'static str, idempotency: Idempotency) -> Self {
        Self { name, idempotency, sensitive: false }
    }

    /// [`Idempotency::Idempotent`]: a read, a put that sets values, a delete.
    pub const fn idempotent(name: &'static str) -> Self {
        Self::new(name, Idempotency::Idempotent)
    }

    /// [`Idempotency::NotIdempotent`]: e.g. a create.
    pub const fn not_idempotent(name: &'static str) -> Self {
        Self::new(name, Idempotency::NotIdempotent)
    }

    /// [`Idempotency::ConditionalWrite`]: a compare-and-set write.
    pub const fn conditional_write(name: &'static str) -> Self {
        Self::new(name, Idempotency::ConditionalWrite)
    }

    /// The same operation, marked as one whose responses may carry a secret (a create's answer
    /// holds the new token, a store's read holds a stored one): their bodies are never quoted and
    /// are wiped once parsed.
    pub const fn sensitive(self) -> Self {
        Self { sensitive: true, ..self }
    }

    /// The operation recorded in `request`'s extensions, if any.
    pub fn of<B>(request: &http::Request<B>) -> Option<Self> {
        request.extensions().get::<Self>().copied()
    }

    /// A short name for logs, spans and metrics (e.g. `"create"`), chosen by whoever declared it.
    pub const fn name(self) -> &'static str {
        self.name
    }

    /// Whether sending it twice may have a different effect from sending it once.
    pub const fn idempotency(self) -> Idempotency {
        self.idempotency
    }

    /// Whether sending the request twice has the same effect as sending it once
    /// ([`Idempotency::Idempotent`]).
    pub const fn is_idempotent(self) -> bool {
        matches!(self.idempotency, Idempotency::Idempotent)
    }

    /// Whether responses to this operation may carry a secret (their bodies are never quoted).
    pub const fn is_sensitive(self) -> bool {
        self.sensitive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_declare_idempotency_and_sensitivity() {
        assert_eq!(Operation::idempotent("a").idempotency(), Idempotency::Idempotent);
        assert_eq!(Operation::not_idempotent("a").idempotency(), Idempotency::NotIdempotent);
        assert_eq!(Operation::conditional_write("a").idempotency(), Idempotency::ConditionalWrite);
        for op in [Operation::not_idempotent("a"), Operation::conditional_write("a")] {
            assert!(!op.is_idempotent(), "{op:?}");
            assert!(!op.is_sensitive(), "{op:?}");
            assert!(op.sensitive().is_sensitive(), "{op:?}");
            assert_eq!(op.sensitive().idempotency(), op.idempotency(), "marking sensitive keeps idempotency");
        }
        assert!(Operation::idempotent("a").is_idempotent());
        assert_ne!(Operation::idempotent("a"), Operation::idempotent("a").sensitive());
        assert_eq!(Operation::new("x", Idempotency::Idempotent).name(), "x");
    }

    #[test]
    fn it_rides_in_the_request_extensions() {
        let mut request = http::Request::new(());
        assert_eq!(Operation::of(&request), None);
        request.extensions_mut().insert(Operation::conditional_write("cas").sensitive());
        let op = Operation::of(&request).unwrap();
        assert_eq!((op.name(), op.is_idempotent(), op.is_sensitive()), ("cas", false, true));
    }
}
