//! PAT Lifecycle Management: five verbs on one URL, each a pure request builder and a pure
//! parser.

pub(crate) mod check;
pub(crate) mod create;
pub(crate) mod get;
pub(crate) mod list;
pub(crate) mod revoke;
pub(crate) mod update;

#[cfg(test)]
pub(crate) mod examples;
