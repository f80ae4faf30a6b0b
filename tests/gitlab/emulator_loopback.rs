//! The GitLab emulator over loopback HTTP (reqwest): the same service as in process.
#![cfg(all(feature = "emulator", feature = "gitlab", feature = "reqwest"))]
