//! The integration suite, one binary: the public contract (docs/api-contract) exercised
//! through the router in-process, through the library's bundle path, and through the real
//! binary over TCP.

mod client;
mod helpers;
mod process;

mod answers;
mod binary;
mod bounds;
mod browser;
mod bundles;
mod cache;
mod conformance;
mod connections;
mod container;
mod contention;
mod crash;
mod drafts;
mod enterprises;
mod errors;
mod explorer;
mod facets;
mod fulltext;
mod http;
mod indicators;
mod integrity;
mod limits;
mod load;
mod metrics;
mod openapi;
mod pagination;
mod plans;
mod policies;
mod projects;
mod readonly;
mod regions;
mod rendering;
mod requests;
mod search;
mod searchbox;
mod sources;
mod spreadsheet;
mod storage;
mod synth;
mod tampered;
mod writes;
