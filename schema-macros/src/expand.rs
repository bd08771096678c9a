//! The expansion: one `__private::migrations(&[...])` of plain data, through
//! `::switchy_schema::__private`, with no code per migration.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::validate::{File, Migration};

/// `__private::migrations(&[EmbeddedMigration { .. }, ..])`. Each file is an `include_str!` of its
/// absolute path, so that cargo rebuilds the crate when the file changes. The elements have
/// no destructor, so the array is promoted to `'static` (and, in a `static`, evaluated at
/// compile time).
pub(crate) fn expand(migrations: &[Migration]) -> TokenStream {
    let migrations = migrations.iter().map(migration);
    quote! {
        ::switchy_schema::__private::migrations(&[#(#migrations),*])
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
    let dialect = option(file.dialect.map(|dialect| {
        let dialect = Ident::new(dialect, Span::call_site());
        quote!(::switchy_schema::__private::Dialect::#dialect)
    }));
    let File {
        shown,
        absolute,
        checksum,
        ..
    } = file;
    quote! {
        ::switchy_schema::__private::EmbeddedFile {
            dialect: #dialect,
            path: #shown,
            sql: ::core::include_str!(#absolute),
            checksum: #checksum,
        }
    }
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
