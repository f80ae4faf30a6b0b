//! The client core every provider's client is built on: crate-private, names no provider.
//!
//! - [`Core`]: the transport (a default one when none is given, wrapped in the retry decorator
//!   unless retrying is off), the clock, and [`Core::execute`], which sends one request inside the
//!   `patkit.request` tracing span and zeroes a sensitive answer's body after parsing;
//! - [`base_url`]: the base-URL rule (a base, https or loopback http) and path joining;
//! - [`request`]: the headers every request carries, the operation tag, JSON bodies;
//! - [`decode`]: a JSON answer into the wire type, the error naming the failing field and, for a
//!   sensitive answer, only the schema's own field names.
//!
//! Crate-private on purpose: every provider lives inside this crate, and keeping the core
//! private leaves its shape free to change as providers arrive. A provider's own module keeps
//! what only its service needs (URL layout, extra headers, classification of answers,
//! the field names its sensitive answers may show in a decode error).

pub(crate) mod base_url;
mod core;
pub(crate) mod decode;
pub(crate) mod request;

pub(crate) use core::Core;
