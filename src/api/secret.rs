//! The access token as a type that cannot leak by accident.

use std::fmt;

/// A bearer token. `Debug` and `Display` print only a masked form, so the token can sit in
/// structs that are logged or shown without ever appearing in full.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

/// Why a text is not a token, as a phrase that follows what held it: "the token in FILE
/// contains a non-ASCII character (U+FEFF) at position 1". Positions count characters of the
/// token as pasted (after surrounding whitespace, a byte-order mark and `Bearer `), from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenProblem {
    /// Nothing but whitespace: there is no token.
    #[error("is empty")]
    Empty,
    /// A character outside ASCII: tokens are ASCII, so this is an editor's or a copy's
    /// addition (a smart quote, a non-breaking space), and the server would reject it.
    #[error("contains a non-ASCII character (U+{code:04X}) at position {position}")]
    NonAscii {
        /// 1-based character position.
        position: usize,
        /// The character's code point (the token itself is never shown).
        code: u32,
    },
    /// A control character: it cannot go into a header.
    #[error("contains a control character (U+{code:04X}) at position {position}")]
    Control {
        /// 1-based character position.
        position: usize,
        /// The character's code point.
        code: u32,
    },
    /// A space or line break inside: two words or two lines are not one token.
    #[error("contains a space or line break at position {position}, so it is not one token")]
    Whitespace {
        /// 1-based character position.
        position: usize,
    },
}

impl AccessToken {
    /// Wraps a token, trimming whitespace and an accidental `Bearer ` prefix from a paste;
    /// `None` when it is not one (see [`AccessToken::parse`] for why).
    pub fn new(raw: &str) -> Option<AccessToken> {
        AccessToken::parse(raw).ok()
    }

    /// Checks a pasted or stored token: surrounding whitespace, a UTF-8 byte-order mark (an
    /// editor's addition) and a `Bearer ` prefix are removed; what is left must be printable
    /// ASCII without spaces, or the problem says which character is wrong.
    pub fn parse(raw: &str) -> Result<AccessToken, TokenProblem> {
        let t = raw.trim().trim_start_matches('\u{feff}').trim();
        let t = t.strip_prefix("Bearer ").unwrap_or(t).trim();
        if t.is_empty() {
            return Err(TokenProblem::Empty);
        }
        for (i, c) in t.chars().enumerate() {
            let (position, code) = (i + 1, u32::from(c));
            if c.is_ascii_whitespace() {
                return Err(TokenProblem::Whitespace { position });
            }
            if c.is_ascii_control() {
                return Err(TokenProblem::Control { position, code });
            }
            if !c.is_ascii() {
                return Err(TokenProblem::NonAscii { position, code });
            }
        }
        Ok(AccessToken(t.to_string()))
    }

    /// The token itself, for the Authorization header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `eyJh…x9Qk`: enough to tell two tokens apart, never enough to use one.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() <= 12 {
            return "****".to_string();
        }
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}…{tail}")
    }

    /// `body` with every copy of the token replaced by its masked form. A server (or a proxy in
    /// front of it) may echo the Authorization header in an error message, and that message
    /// is shown to the user and logged: it must not carry the token out with it.
    pub(crate) fn redact<'a>(&self, body: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        let needle = self.0.as_bytes();
        if needle.is_empty() || !body.windows(needle.len()).any(|w| w == needle) {
            return std::borrow::Cow::Borrowed(body);
        }
        let masked = self.masked();
        let mut out = Vec::with_capacity(body.len());
        let mut rest = body;
        while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(masked.as_bytes());
            rest = &rest[at + needle.len()..];
        }
        out.extend_from_slice(rest);
        std::borrow::Cow::Owned(out)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessToken({})", self.masked())
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echoed_token_is_masked_wherever_it_appears() {
        let t = AccessToken::parse("eyJhbGciOiJSUzI1NiJ9.payload.x9Qk").unwrap();
        let body = br#"{"error":{"message":"bad Bearer eyJhbGciOiJSUzI1NiJ9.payload.x9Qk; again eyJhbGciOiJSUzI1NiJ9.payload.x9Qk!"}}"#;
        let out = String::from_utf8(t.redact(body).into_owned()).unwrap();
        assert_eq!(
            out,
            r#"{"error":{"message":"bad Bearer eyJh…x9Qk; again eyJh…x9Qk!"}}"#
        );
        let clean = b"nothing to hide";
        assert_eq!(&*t.redact(clean), clean);
    }

    #[test]
    fn never_prints_the_token() {
        let raw = "eyJhbGciOiJSUzI1NiJ9.secret-part.signature";
        let t = AccessToken::new(&format!("Bearer {raw}\n")).unwrap();
        assert_eq!(t.expose(), raw);
        for shown in [format!("{t:?}"), format!("{t}")] {
            assert!(!shown.contains("secret-part"), "{shown}");
        }
        assert!(AccessToken::new("  ").is_none());
        assert!(AccessToken::new("a b").is_none());
    }

    #[test]
    fn the_masked_form_keeps_four_characters_each_side_and_hides_short_tokens() {
        let t = AccessToken::parse("eyJhbGciOiJSUzI1NiJ9.x9Qk").unwrap();
        assert_eq!(t.masked(), "eyJh\u{2026}x9Qk");
        assert_eq!(format!("{t}"), "eyJh\u{2026}x9Qk");
        assert_eq!(format!("{t:?}"), "AccessToken(eyJh\u{2026}x9Qk)");
        // Up to 12 characters, head and tail together would be most of the token.
        assert_eq!(AccessToken::parse("abcdefghijkl").unwrap().masked(), "****");
        assert_eq!(
            AccessToken::parse("abcdefghijklm").unwrap().masked(),
            "abcd\u{2026}jklm"
        );
    }

    #[test]
    fn a_byte_order_mark_and_surrounding_whitespace_are_stripped() {
        let t = AccessToken::parse("\u{feff}eyJ-token-value\r\n").unwrap();
        assert_eq!(t.expose(), "eyJ-token-value");
        let t = AccessToken::parse("  \u{feff}Bearer eyJ-token-value \n").unwrap();
        assert_eq!(t.expose(), "eyJ-token-value");
        assert_eq!(AccessToken::parse("\u{feff}\n"), Err(TokenProblem::Empty));
    }

    #[test]
    fn non_ascii_and_control_characters_are_refused_with_their_position() {
        assert_eq!(
            AccessToken::parse("eyJ\u{e9}x"),
            Err(TokenProblem::NonAscii {
                position: 4,
                code: 0xe9
            })
        );
        // A mark that is not at the start is not an editor's addition: it is refused.
        assert_eq!(
            AccessToken::parse("ab\u{feff}c"),
            Err(TokenProblem::NonAscii {
                position: 3,
                code: 0xfeff
            })
        );
        // A non-breaking space from a web page.
        assert_eq!(
            AccessToken::parse("ab\u{a0}c"),
            Err(TokenProblem::NonAscii {
                position: 3,
                code: 0xa0
            })
        );
        assert_eq!(
            AccessToken::parse("ab\x07c"),
            Err(TokenProblem::Control {
                position: 3,
                code: 7
            })
        );
        assert_eq!(
            AccessToken::parse("one\ntwo"),
            Err(TokenProblem::Whitespace { position: 4 })
        );
        let shown = AccessToken::parse("eyJ\u{e9}x").unwrap_err().to_string();
        assert_eq!(
            shown,
            "contains a non-ASCII character (U+00E9) at position 4"
        );
    }
}
