//! The async glue: credential → pure request → transport → pure parse.

mod admin;
mod admin_provider;
mod create;
mod list;
pub(crate) mod provider;
mod single;
mod update;

pub use admin::{AdminListPats, TokenAdmin};
pub use create::CreatePat;
pub use list::ListPats;
pub use provider::PROVIDER_NAME;
pub use update::UpdatePat;
