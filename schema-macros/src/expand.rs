//! The expansion: one `__private::migrations(&[...])` of plain data, through
//! `::switchy_schema::__private`, with no code per migration.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::validate::{File, Migration};

/// `__private::migrations(&[EmbeddedMigration { .. }, ..])`, in a block that names every
/// embedded file once more in an unused `const _: &[u8] = include_bytes!(<absolute path>)`.
///
/// The text of each file is embedded as a string literal of what the macro read, so that
/// the text embedded is exactly the text hashed (one read: a second read through
/// `include_str!` could see a file changed in between). The `include_bytes!` is there for
/// rebuilds only: on stable Rust it is the way a macro tells rustc, and so cargo's
/// dep-info, that the crate depends on a file, so that editing, renaming or deleting it
/// rebuilds the crate (`proc_macro::tracked::path` is unstable). Its constant is unused, so
/// nothing of it reaches the binary. The elements have no destructor, so the array is
/// promoted to `'static` (and, in a `static`, evaluated at compile time).
pub(crate) fn expand(migrations: &[Migration]) -> TokenStream {
    let tracked = migrations
        .iter()
        .flat_map(|migration| migration.up.iter().chain(&migration.down))
        .map(|file| {
            let absolute = &file.absolute;
            quote!(
                const _: &[u8] = ::core::include_bytes!(#absolute);
            )
        });
    let migrations = migrations.iter().map(migration);
    quote! {
        {
            #(#tracked)*
            ::switchy_schema::__private::migrations(&[#(#migrations),*])
        }
    }
}

fn migration(migration: &Migration) -> TokenStream {
    let id = &migration.id;
    let description = option(migration.description.as_ref().map(|text| quote!(#text)));
    let up = migration.up.iter().map(file);
    let down = migration.down.iter().map(file);
    let mode = Ident::new(
        if migration.run_in_transaction {
            "Transactional"
        } else {
            "NoTransaction"
        },
        Span::call_site(),
    );
    quote! {
        ::switchy_schema::__private::EmbeddedMigration {
            id: #id,
            description: #description,
            up: &[#(#up),*],
            down: &[#(#down),*],
            transaction_mode: ::switchy_schema::__private::TransactionMode::#mode,
        }
    }
}

fn file(file: &File) -> TokenStream {
    let dialect = option(file.dialect.map(dialect_path));
    let no_transaction_control = file
        .no_transaction_control
        .iter()
        .copied()
        .map(dialect_path);
    let File {
        shown,
        sql,
        checksum,
        ..
    } = file;
    quote! {
        ::switchy_schema::__private::EmbeddedFile {
            dialect: #dialect,
            path: #shown,
            sql: #sql,
            checksum: #checksum,
            no_transaction_control: &[#(#no_transaction_control),*],
        }
    }
}

/// `::switchy_schema::__private::Dialect::<variant>`.
fn dialect_path(variant: &str) -> TokenStream {
    let variant = Ident::new(variant, Span::call_site());
    quote!(::switchy_schema::__private::Dialect::#variant)
}

/// `Some(value)` or `None`, spelled out for any edition and prelude.
fn option(value: Option<TokenStream>) -> TokenStream {
    value.map_or_else(
        || quote!(::core::option::Option::None),
        |value| quote!(::core::option::Option::Some(#value)),
    )
}

/// The errors, then an empty list of migrations, so that the caller sees no type error
/// on top of them.
pub(crate) fn errors(error: &syn::Error) -> TokenStream {
    let errors = error.to_compile_error();
    quote! {
        {
            #errors
            ::switchy_schema::__private::migrations(&[])
        }
    }
}
