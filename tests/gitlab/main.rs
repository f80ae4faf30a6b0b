//! The GitLab provider: its client, its emulator (in process and over loopback) and real clients
//! that no one here wrote driving the emulator.
//!
//! One test binary for this layer (each binary links the whole crate); each module keeps its own
//! `cfg`.

mod emulator_loopback;
mod python_gitlab;
