//! Readers: turn a file's bytes into a [`Message`] with spans into those bytes.
//!
//! Every reader produces the same model, so rules never care whether the words came from a
//! plain draft, an email, an HTML newsletter or a template.

pub mod frontmatter;
mod plain;

use crate::error::SourceError;
use crate::message::{Message, Vocabulary};
pub use frontmatter::{Allow, FrontMatter};

/// How to read a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    /// A mail-merge template: placeholders are expected and replaced by neutral stand-ins.
    Template,
}

impl Format {
    /// The format for a path, from its extension.
    pub fn for_path(_path: &str) -> Format {
        Format::Plain
    }
}

/// Extensions of files `check` picks up when walking a folder.
pub const MESSAGE_EXTENSIONS: &[&str] = &[
    "txt",
    "text",
    "eml",
    "md",
    "markdown",
    "html",
    "htm",
    "hbs",
    "handlebars",
    "mustache",
    "liquid",
    "j2",
    "jinja",
    "jinja2",
    "tmpl",
    "tpl",
];

/// A file read into a message, with its front matter.
#[derive(Debug)]
pub struct ReadMessage {
    pub message: Message,
    pub front_matter: Option<FrontMatter>,
}

/// Decodes `bytes` as UTF-8, or explains where it is not.
pub fn utf8(path: &str, bytes: Vec<u8>) -> Result<String, SourceError> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        SourceError::whole(path, format!("not valid UTF-8 at byte {at}"))
            .with_help("save the file as UTF-8")
    })
}

/// Reads a message file. `path` is how the file is named in output.
pub fn read(
    path: &str,
    bytes: Vec<u8>,
    format: Format,
    vocab: &Vocabulary,
) -> Result<ReadMessage, SourceError> {
    match format {
        Format::Plain | Format::Template => {
            let text = utf8(path, bytes)?;
            plain::read(path, text, vocab)
        }
    }
}
