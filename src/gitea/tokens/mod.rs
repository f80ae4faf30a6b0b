//! Access tokens: one file per operation, each a pure request builder, a pure parser and the
//! async glue on [`GiteaClient`](super::GiteaClient).

mod check;
mod create;
mod delete;
mod list;

pub use create::{NAME_MAX_CHARS, NewToken};
pub use list::ListTokens;
