//! The blocking twin of the client: the same builders, and `send()` waits
//! for the answer. It runs the async client on a small private runtime (one
//! worker thread, which also keeps pooled connections alive between calls).

use std::fmt;
use std::sync::Arc;

use crate::client::{self, ClientBuilder, ConfigError, Error, ErrorKind, RequestBuilder};
use crate::metadata::ResponseMetadata;
use crate::protocol::Operation;

/// Why a blocking client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The configuration was refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The private runtime could not start (threads or I/O driver).
    #[error("cannot start the blocking client's runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

/// The blocking STS client. Cheap to clone; clones share the runtime and
/// everything the async client shares.
#[derive(Clone)]
pub struct Client {
    client: client::Client,
    runtime: Arc<Runtime>,
}

/// Owns the runtime and shuts it down without blocking, so dropping the
/// last clone is fine anywhere, even inside another runtime.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Settings for a new client (finish with `build_blocking`).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub(crate) fn from_builder(builder: ClientBuilder) -> Result<Client, BuildError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("awssts-blocking")
            .enable_all()
            .build()
            .map_err(BuildError::Runtime)?;
        // Building the transport may need a runtime context (timers).
        let client = {
            let _guard = runtime.enter();
            builder.build()?
        };
        Ok(Client {
            client,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }

    /// The async client this one drives.
    pub fn as_async(&self) -> &client::Client {
        &self.client
    }

    /// Sends any operation's input and waits for the answer.
    pub fn send<I: Operation>(&self, input: I) -> Result<I::Output, Error> {
        self.wait(I::NAME, self.client.send(input))
    }

    /// Runs `work` (for `operation`) on the client's runtime: refused inside
    /// an async runtime, where waiting would block one of its threads.
    fn wait<T>(
        &self,
        operation: &'static str,
        work: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let refuse = |why: &'static str| {
            Err(Error::new(
                operation,
                ErrorKind::Runtime(why),
                ResponseMetadata::default(),
            ))
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            return refuse(
                "the blocking client cannot wait inside an async runtime; use awssts::Client and .await",
            );
        }
        match &self.runtime.0 {
            Some(rt) => rt.block_on(work),
            None => refuse("the blocking client's runtime has shut down"),
        }
    }
}

impl Client {
    /// A presigned `GetCallerIdentity` URL; see
    /// [`crate::Client::presign_get_caller_identity`].
    pub fn presign_get_caller_identity(
        &self,
        options: &crate::PresignOptions,
    ) -> Result<crate::PresignedUrl, Error> {
        self.wait(
            "GetCallerIdentity",
            self.client.presign_get_caller_identity(options),
        )
    }
}

impl<I: Operation> RequestBuilder<Client, I> {
    /// Validates, signs and sends the request, retrying transient failures,
    /// and waits for the answer.
    pub fn send(self) -> Result<I::Output, Error> {
        let (client, input) = self.into_parts();
        client.send(input)
    }
}
