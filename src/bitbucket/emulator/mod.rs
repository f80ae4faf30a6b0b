//! A Bitbucket Data Center HTTP access-token service emulator, in process and over loopback HTTP,
//! built on [`crate::testing::emulator_kit`] (fact sheet `forges-pat-api.md` §5.10).
