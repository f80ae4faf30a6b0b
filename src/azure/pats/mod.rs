//! PAT Lifecycle Management: five verbs on one URL and the token check, one file per
//! operation, each a pure request builder, a pure parser and the async glue on
//! [`AzureDevOpsClient`](crate::azure::AzureDevOpsClient).

pub(crate) mod check;
pub(crate) mod create;
pub(crate) mod get;
pub(crate) mod list;
pub(crate) mod revoke;
pub(crate) mod update;

#[cfg(test)]
pub(crate) mod examples;

pub use create::CreatePat;
pub use list::ListPats;
pub use update::UpdatePat;
