//! Azure DevOps: the PAT Lifecycle Management and Token Admin APIs.

mod error_code;

pub use error_code::PatTokenError;
