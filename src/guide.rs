//! Guides: longer than an item's documentation, about using the pieces together.

#[doc = include_str!("../docs/unattended.md")]
pub mod unattended {}
