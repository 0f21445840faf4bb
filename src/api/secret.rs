//! The access token as a type that cannot leak by accident.

use std::fmt;

/// A bearer token. `Debug` and `Display` print only a masked form, so the token can sit in
/// structs that are logged or shown without ever appearing in full.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token, trimming whitespace and an accidental `Bearer ` prefix from a paste.
    pub fn new(raw: &str) -> Option<AccessToken> {
        let t = raw.trim();
        let t = t.strip_prefix("Bearer ").unwrap_or(t).trim();
        if t.is_empty() || t.chars().any(|c| c.is_control() || c.is_whitespace()) {
            None
        } else {
            Some(AccessToken(t.to_string()))
        }
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
}
