//! Bundles: the one way facts get in (import, check and the seed all go through here).

pub mod catalog;
pub mod coverage;
pub mod dates;
pub mod json;
pub mod model;
pub mod parse;
pub mod validate;

pub use catalog::Catalog;
pub use model::Bundle;
pub use parse::parse_and_validate;
pub use validate::{ValidBundle, validate};
