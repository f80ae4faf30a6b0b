//! The provider seam and the lifecycle flows: provider conformance, rotation, crash safety, scans,
//! offboarding.
//!
//! One test binary for this layer (each binary links the whole crate); each module is the
//! former test file of the same name and keeps its own `cfg`.

#[path = "../lifecycle_support/mod.rs"]
mod lifecycle_support;
#[path = "../support/report_schema.rs"]
mod report_schema;
#[path = "../support/trace_capture.rs"]
mod trace_capture;

mod blocking;
mod conformance_catches_bugs;
mod crash;
mod grace;
mod mint;
mod offboard;
mod offboard_by_name;
mod password_canaries;
mod provider_conformance;
mod report_json;
mod rotate;
mod scan;
