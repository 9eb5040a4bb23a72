//! The STS client: per-operation request builders over a shared, cheaply
//! cloned client. (Under construction: not yet exported.)

mod fluent;

/// The asynchronous STS client. Cheap to clone; clones share one connection
/// pool, credentials source and retry state.
#[derive(Clone, Debug, Default)]
pub struct Client {
    _private: (),
}

/// A request being built: the client it will be sent through and the
/// operation's input. Created by the client's per-operation methods
/// (`client.assume_role()`); each setter returns the builder.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<C, I> {
    client: C,
    input: I,
}

impl<C, I: Default> RequestBuilder<C, I> {
    pub(crate) fn new(client: C) -> Self {
        RequestBuilder {
            client,
            input: I::default(),
        }
    }
}

impl<C, I> RequestBuilder<C, I> {
    /// The input as built so far.
    pub fn as_input(&self) -> &I {
        &self.input
    }

    /// Replaces the whole input, e.g. with one built elsewhere.
    pub fn set_input(mut self, input: I) -> Self {
        self.input = input;
        self
    }

    /// Applies one change to the input; the generated setters go through here.
    pub(crate) fn map_input(mut self, f: impl FnOnce(I) -> I) -> Self {
        self.input = f(self.input);
        self
    }

    #[allow(dead_code)] // used by `send`, which comes with the transport
    pub(crate) fn into_parts(self) -> (C, I) {
        (self.client, self.input)
    }
}
