//! `file:` URIs and percent-encoding, for SARIF locations and LSP documents.

use std::path::{Path, PathBuf};

/// Percent-encodes a path for a URI reference (RFC 3986: unreserved characters and `/` stay).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes `%XX` escapes; `None` for a bad escape or bytes that are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The path of a `file:` URI; `None` for any other scheme (`untitled:` buffers).
pub fn file_uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let path_part = &rest[rest.find('/')?..];
    let path_part = path_part.split(['?', '#']).next().unwrap_or(path_part);
    let decoded = percent_decode(path_part)?;
    // file:///C:/x on Windows
    if cfg!(windows) && decoded.len() > 2 && decoded.as_bytes()[2] == b':' {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of a path (made absolute against the working folder).
pub fn path_to_file_uri(path: &Path) -> Option<String> {
    let abs = std::path::absolute(path).ok()?;
    let mut s = abs.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    Some(format!("file://{}", encode_path(&s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_and_paths_convert_both_ways() {
        let p = Path::new("/tmp/my drafts/żółw #1.txt");
        let u = path_to_file_uri(p).unwrap();
        assert_eq!(u, "file:///tmp/my%20drafts/%C5%BC%C3%B3%C5%82w%20%231.txt");
        assert_eq!(file_uri_to_path(&u).unwrap(), p);
        assert_eq!(file_uri_to_path("untitled:Untitled-1"), None);
        assert_eq!(file_uri_to_path("file:///bad%ZZ"), None);
    }

    #[test]
    fn reserved_characters_are_escaped() {
        assert_eq!(
            encode_path("drafts/my note #1.txt"),
            "drafts/my%20note%20%231.txt"
        );
        assert_eq!(encode_path("żółw.txt"), "%C5%BC%C3%B3%C5%82w.txt");
    }
}
