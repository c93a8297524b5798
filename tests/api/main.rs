//! The integration suite, one binary: the public contract (docs/api-contract) exercised
//! through the router in-process, through the library's bundle path, and through the real
//! binary over TCP.

mod helpers;
mod process;

mod binary;
mod bundles;
mod container;
mod enterprises;
mod errors;
mod http;
mod indicators;
mod metrics;
mod openapi;
mod pagination;
mod policies;
mod projects;
mod regions;
mod search;
mod sources;
mod synth;
mod tampered;
mod writes;
