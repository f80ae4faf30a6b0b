//! The runtime every blocking wrapper runs its calls on: owned, or borrowed from the program.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use tokio::runtime::{Handle, RuntimeFlavor};

use crate::error::{Error, Result};

/// Where the calls of the [`blocking`](super) wrappers run: a tokio runtime that this value owns
/// (made by [`new`](Self::new)) or borrows from the program ([`borrow_current`](Self::borrow_current)).
///
/// Cheap to clone: clones share one runtime, so make one at start-up and hand it to every
/// wrapper. Calls may come from many threads at once. The owned runtime is shut down when the
/// last clone (and the last wrapper holding one) is dropped.
///
/// # Inside async code
///
/// A blocking call made on a thread where a tokio runtime is current — inside async code, a
/// `spawn_blocking` or `block_in_place` closure, or under a `Runtime::enter` guard — returns
/// [`Error::InsideAsyncRuntime`] and does nothing. Blocking there would stall the runtime's
/// thread (and deadlock a single-threaded one); the async API is the one to use there. Dropping
/// the last clone there is fine: the runtime is then shut down without waiting.
///
/// ```
/// use patkit::blocking::Runtime;
///
/// let runtime = Runtime::new()?;
/// let answer = runtime.block_on(async { 6 * 7 })?;
/// assert_eq!(answer, 42);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

enum Inner {
    Owned(Owned),
    Borrowed(Handle),
}

/// An owned runtime, shut down without waiting when dropped where blocking is not allowed.
struct Owned(Option<tokio::runtime::Runtime>);

impl Drop for Owned {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            if inside_runtime() {
                // Dropping a runtime waits for its blocking threads, which tokio refuses (with a
                // panic) on a runtime thread.
                runtime.shutdown_background();
            } else {
                drop(runtime);
            }
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &*self.inner {
            Inner::Owned(_) => "owned, current-thread",
            Inner::Borrowed(_) => "borrowed, multi-thread",
        };
        f.debug_struct("Runtime").field("kind", &kind).finish()
    }
}

/// Whether a tokio runtime is current on this thread.
fn inside_runtime() -> bool {
    Handle::try_current().is_ok()
}

impl Runtime {
    /// Starts a runtime of its own: tokio's current-thread scheduler with I/O and timers, and no
    /// thread of its own — each call runs on the calling thread (threads calling at the same time
    /// take turns driving I/O, as tokio's `block_on` does). Blocking file and keyring work goes to
    /// tokio's blocking threads, started when first needed.
    ///
    /// # Errors
    ///
    /// When the operating system refuses what the runtime needs (an epoll or kqueue instance).
    pub fn new() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(Self { inner: Arc::new(Inner::Owned(Owned(Some(runtime)))) })
    }

    /// Borrows the tokio runtime that is current on this thread, so blocking calls made later from
    /// threads *without* a runtime (worker threads of a non-async part of the program) share its
    /// I/O, timers and connection pools instead of starting another. Call it where the program's
    /// runtime is current (under its `enter` guard, or in async code), then use the wrappers from
    /// other threads.
    ///
    /// The runtime must be a multi-thread one (its workers drive I/O while a caller blocks) and
    /// must outlive every call made through this value: once it is shut down, calls fail as
    /// tokio fails them.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (field `runtime`) when no tokio runtime is current, or when it is a
    /// current-thread one: its I/O is driven only by the thread inside its own `block_on`, so a
    /// call from another thread could wait forever.
    ///
    /// ```
    /// use patkit::blocking::Runtime;
    ///
    /// let program = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    /// let runtime = {
    ///     let _entered = program.enter();
    ///     Runtime::borrow_current()?
    /// };
    /// let worker = std::thread::spawn(move || runtime.block_on(async { "ran on the program's runtime" }));
    /// assert_eq!(worker.join().unwrap()?, "ran on the program's runtime");
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn borrow_current() -> Result<Self> {
        let handle = Handle::try_current().map_err(|_| {
            Error::invalid_input(
                "runtime",
                "no tokio runtime is current on this thread (borrow it under its `enter` guard, or start one with \
                 `blocking::Runtime::new`)",
            )
        })?;
        if !matches!(handle.runtime_flavor(), RuntimeFlavor::MultiThread) {
            return Err(Error::invalid_input(
                "runtime",
                "the current tokio runtime is not a multi-thread one: only the thread inside its own `block_on` \
                 drives its I/O, so a blocking call from another thread could wait forever (use a multi-thread \
                 runtime, or `blocking::Runtime::new`)",
            ));
        }
        Ok(Self { inner: Arc::new(Inner::Borrowed(handle)) })
    }

    /// Runs `future` to completion on this runtime, blocking the calling thread: the way to call
    /// what the wrappers do not cover (a provider client's own operations, an async store
    /// constructor). A future that returns a `Result` gives a nested one: `block_on(f)??`.
    ///
    /// # Errors
    ///
    /// [`Error::InsideAsyncRuntime`] (nothing is run) when a tokio runtime is current on this
    /// thread; see [Inside async code](Self#inside-async-code).
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use patkit::azure::AzureDevOpsClient;
    /// use patkit::azure::emulator::Emulator;
    /// use patkit::blocking::Runtime;
    /// use patkit::Scopes;
    ///
    /// let emulator = Emulator::new();
    /// emulator.add_organization("fabrikam");
    /// let alice = emulator.add_user("Alice");
    /// let client = AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build()?;
    ///
    /// let runtime = Runtime::new()?;
    /// let day = std::time::Duration::from_secs(86_400);
    /// let created = runtime.block_on(client.create("ci", Scopes::parse("vso.code")?).expires_in(day * 30).send())??;
    /// // An Azure DevOps operation the neutral seam does not have:
    /// let extended = runtime.block_on(client.extend(&created.metadata.id, day))??;
    /// assert!(extended.valid_to > created.metadata.valid_to);
    /// # }
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        self.run("block_on", future)
    }

    /// Runs `future` for the wrapper method named `operation`.
    pub(super) fn run<F: Future>(&self, operation: &'static str, future: F) -> Result<F::Output> {
        if inside_runtime() {
            return Err(Error::InsideAsyncRuntime { operation });
        }
        Ok(match &*self.inner {
            Inner::Owned(Owned(Some(runtime))) => runtime.block_on(future),
            Inner::Owned(Owned(None)) => unreachable!("the runtime is only taken out when dropped"),
            Inner::Borrowed(handle) => handle.block_on(future),
        })
    }

    /// Runs `future`, an operation that can fail, for the wrapper method named `operation`.
    pub(super) fn call<T, E>(&self, operation: &'static str, future: impl Future<Output = Result<T, E>>) -> Result<T>
    where
        Error: From<E>,
    {
        Ok(self.run(operation, future)??)
    }
}
