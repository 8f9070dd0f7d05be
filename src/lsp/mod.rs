//! `tactful lsp`: a language server over standard input and output.
//!
//! It checks every open document on open, change and save (full-text sync; one message checks
//! in about a millisecond, so there is nothing to debounce), publishes diagnostics with the rule
//! id, severity, UTF-16 range, related labels and a link to the category's documentation, and
//! offers code actions that apply a rule's suggested rewrite (plus one "fix all" action for
//! the safe ones). Config and rule files are re-read when they change: each check compares the
//! files that could affect it (the `.tactful.yaml` candidates above the document, the rule
//! files) with what the last check saw, and `workspace/didChangeWatchedFiles` or saving a YAML
//! file re-checks every open document at once.
//!
//! Built on `lsp-server` and `lsp-types`, rust-analyzer's synchronous crates.

mod actions;
mod diagnostics;
mod documents;
mod server;

pub use documents::{path_to_uri, uri_to_path};
pub use server::{run, serve};

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Uri;
    use std::path::Path;
    use std::str::FromStr;

    #[test]
    fn file_uris_and_paths_convert_both_ways() {
        let p = Path::new("/tmp/my drafts/żółw #1.txt");
        let u = path_to_uri(p).unwrap();
        assert_eq!(
            u.as_str(),
            "file:///tmp/my%20drafts/%C5%BC%C3%B3%C5%82w%20%231.txt"
        );
        assert_eq!(uri_to_path(&u).unwrap(), p);
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&untitled), None);
    }
}
