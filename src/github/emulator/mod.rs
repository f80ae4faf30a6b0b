//! A GitHub organization-governance emulator, in process and over loopback HTTP, built on
//! [`crate::testing::emulator_kit`] (fact sheet `forges-pat-api.md` §4.12).
