// `require_down = true` on a folder where every migration has a down.sql; a raw string
// path and a trailing comma; `require_down = false`, the default, on irreversible ones.
use switchy_schema::Migrations;

static STRICT: Migrations =
    switchy_schema::embed_migrations!(r"../tests/fixtures/basic", require_down = true,);
static LENIENT: Migrations =
    switchy_schema::embed_migrations!("../tests/fixtures/irreversible", require_down = false);

fn main() {
    assert_eq!(STRICT.len(), 3);
    assert!(STRICT.iter().all(|m| m.is_reversible()));
    assert_eq!(LENIENT.len(), 2);
}
