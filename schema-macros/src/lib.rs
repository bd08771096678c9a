//! The `embed_migrations!` macro of [switchy_schema](https://docs.rs/switchy_schema). Use it
//! through `switchy_schema::embed_migrations!`, whose documentation is the reference: its
//! arguments, the errors it reports and how rebuilding works.
//!
//! The expansion goes parse (`parse.rs`: the arguments) → scan (`scan.rs`: the folder, read
//! with the grammar shared with the runtime directory source) → validate (`validate.rs`: the
//! grammar's violations and the macro's own rules become errors on the path literal,
//! checksums are computed) → expand (`expand.rs`: one static array of plain data). It never
//! panics: every problem is collected and reported at once, followed by an empty list of
//! migrations so that no other error follows from it.
//!
//! `SWITCHY_SCHEMA_MACROS_BASE_DIR`, when set, replaces `CARGO_MANIFEST_DIR` as the folder
//! that paths are relative to. It is internal, for this project's UI tests (under trybuild
//! `CARGO_MANIFEST_DIR` points into `target/`), and may change without notice.
#![doc = include_str!("../docs/rebuilding.md")]
#![cfg_attr(switchy_schema_tracked_path, feature(proc_macro_tracked_path))]

mod expand;
mod parse;
mod scan;
mod track;
mod validate;

// The one definition of the folder grammar and checksum rule, shared with the runtime
// directory source.
use switchy_schema_grammar as grammar;

use proc_macro::TokenStream;

#[doc = include_str!("../docs/embed_migrations.md")]
#[doc = include_str!("../docs/rebuilding.md")]
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let args = match syn::parse::<parse::Args>(input) {
        Ok(args) => args,
        Err(error) => return expand::errors(&error).into(),
    };
    let folder = scan::scan(&args);
    match validate::validate(&args, &folder) {
        Ok(migrations) => expand::expand(&migrations).into(),
        Err(error) => expand::errors(&error).into(),
    }
}
