//! The Gitea / Forgejo provider: its emulator over loopback, and a real client no one here wrote
//! (giteapy) driving the emulator.
//!
//! One test binary for this layer (each binary links the whole crate); each module keeps its own
//! `cfg`.

mod emulator_loopback;
mod python_giteapy;
