//! The macro's arguments: `"path"` then optional `name = value` pairs.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, Lit, LitBool, LitStr, Token};

/// The parsed arguments of `embed_migrations!`.
pub(crate) struct Args {
    /// The migrations folder, relative to the crate's `Cargo.toml`. Every folder error is
    /// reported at its span.
    pub(crate) path: LitStr,
    /// `require_down = true`: every migration must have a `down.sql`. Default `false`.
    pub(crate) require_down: bool,
}

/// The optional arguments, for messages.
const KNOWN: &str = "the only optional argument is `require_down = true`";

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                "missing the path of the migrations folder: write `embed_migrations!(\"migrations\")`, relative to the crate's Cargo.toml",
            ));
        }
        if !input.peek(LitStr) {
            return Err(syn::Error::new(
                input.span(),
                "expected a string literal: the path of the migrations folder, relative to the crate's Cargo.toml, such as `\"migrations\"`",
            ));
        }
        let path: LitStr = input.parse()?;
        if path.value().is_empty() {
            return Err(syn::Error::new(
                path.span(),
                "the path of the migrations folder is empty: write it relative to the crate's Cargo.toml, such as `\"migrations\"`",
            ));
        }
        let mut args = Args {
            path,
            require_down: false,
        };
        let mut errors: Option<syn::Error> = None;
        let mut seen_require_down = false;
        while !input.is_empty() {
            input.parse::<Token![,]>().map_err(|error| {
                syn::Error::new(error.span(), "expected `,` between the arguments")
            })?;
            if input.is_empty() {
                break;
            }
            let name: Ident = input.parse().map_err(|error| {
                syn::Error::new(
                    error.span(),
                    format!("expected an argument such as `require_down = true`: {KNOWN}"),
                )
            })?;
            if input.parse::<Token![=]>().is_err() {
                return Err(syn::Error::new(
                    name.span(),
                    format!("expected `=` and a value after `{name}`, as in `require_down = true`"),
                ));
            }
            let Ok(value) = input.parse::<Lit>() else {
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "expected a literal value after `{name} =`, as in `require_down = true`"
                    ),
                ));
            };
            let error = if name == "require_down" {
                match value {
                    Lit::Bool(LitBool { value, .. }) if !seen_require_down => {
                        seen_require_down = true;
                        args.require_down = value;
                        None
                    }
                    Lit::Bool(_) => Some(syn::Error::new(
                        name.span(),
                        "`require_down` is given twice",
                    )),
                    _ => Some(syn::Error::new(
                        value.span(),
                        "`require_down` takes a boolean: `require_down = true` (the default is `false`)",
                    )),
                }
            } else {
                let lower = name.to_string().to_ascii_lowercase();
                let hint = if ["req", "down", "rev"]
                    .iter()
                    .any(|part| lower.contains(part))
                {
                    " (did you mean `require_down`?)"
                } else if name == "table" || name == "table_name" {
                    ": the tracking table is the runner's choice, with `MigrationRunner::with_table_name`"
                } else {
                    ""
                };
                Some(syn::Error::new(
                    name.span(),
                    format!("unknown argument `{name}`{hint}; {KNOWN}"),
                ))
            };
            if let Some(error) = error {
                match &mut errors {
                    Some(errors) => errors.combine(error),
                    None => errors = Some(error),
                }
            }
        }
        match errors {
            Some(errors) => Err(errors),
            None => Ok(args),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Args;

    fn parse(input: &str) -> Result<Args, String> {
        syn::parse_str::<Args>(input).map_err(|error| {
            error
                .into_iter()
                .map(|error| error.to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        })
    }

    #[test]
    fn a_path_and_the_defaults() {
        let args = parse(r#""migrations""#).expect("valid");
        assert_eq!(args.path.value(), "migrations");
        assert!(!args.require_down);
        let args = parse(r#"r"db/migrations", require_down = true,"#).expect("valid");
        assert_eq!(args.path.value(), "db/migrations");
        assert!(args.require_down);
    }

    #[test]
    fn every_bad_argument_is_reported() {
        let errors = parse(r#""m", require_dwn = true, require_down = 1, table = "t""#)
            .err()
            .expect("invalid");
        assert_eq!(
            errors,
            "unknown argument `require_dwn` (did you mean `require_down`?); the only optional argument is `require_down = true` \
             | `require_down` takes a boolean: `require_down = true` (the default is `false`) \
             | unknown argument `table`: the tracking table is the runner's choice, with `MigrationRunner::with_table_name`; the only optional argument is `require_down = true`"
        );
    }

    #[test]
    fn the_path_must_be_a_non_empty_string_literal() {
        for input in ["", "migrations", "b\"m\"", "1", "\"\""] {
            assert!(parse(input).is_err(), "{input}");
        }
    }
}
