//! Personal access tokens: one file per operation, each a pure request builder, a pure parser
//! and the async glue on [`GitLabClient`](super::GitLabClient).

mod associations;
mod create;
mod get;
mod list;
mod revoke;
mod rotate;

pub use associations::{AssociatedGroup, AssociatedProject, Associations};
pub use create::{MAX_DESCRIPTION_CHARS, NewPat};
pub use list::{ListPats, TokenSort, TokenState};

pub(crate) use rotate::body as rotate_body;
