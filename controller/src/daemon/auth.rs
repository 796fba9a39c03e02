//! The optional access token of the status page, `/status` and `/metrics`: read from a file
//! or the environment, compared in constant time, never logged or printed.

use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable that holds the token when no token file is given.
pub const TOKEN_ENV: &str = "AFU9_STATUS_TOKEN";

/// Why the token could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token file could not be read.
    #[error("cannot read the token file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The token file or variable holds no token.
    #[error("{0} holds no token")]
    Empty(String),
}

/// A bearer token. Its `Debug` shows no value.
#[derive(Clone)]
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    /// The token from `file` (its first line, surrounding whitespace trimmed), else from
    /// [`TOKEN_ENV`]; `None` when neither is set.
    pub fn load(file: Option<&Path>) -> Result<Option<Self>, TokenError> {
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| TokenError::Read {
                path: path.to_owned(),
                source,
            })?;
            let line = text.lines().next().unwrap_or_default();
            return Self::new(line)
                .map(Some)
                .ok_or_else(|| TokenError::Empty(path.display().to_string()));
        }
        match std::env::var(TOKEN_ENV) {
            Ok(value) => Self::new(&value)
                .map(Some)
                .ok_or_else(|| TokenError::Empty(TOKEN_ENV.to_owned())),
            Err(_) => Ok(None),
        }
    }

    /// A token from `text` (trimmed); `None` when that leaves nothing.
    pub fn new(text: &str) -> Option<Self> {
        let text = text.trim();
        (!text.is_empty()).then(|| Self(text.to_owned()))
    }

    /// The value, to send it (`afu9ctl status`). Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether an `Authorization` header value carries this token: `Bearer <token>`, or
    /// `Basic` credentials whose password is the token (what a browser sends after its login
    /// prompt; the user name is ignored).
    pub fn authorizes(&self, authorization: &str) -> bool {
        let (scheme, credentials) = authorization
            .trim()
            .split_once(' ')
            .unwrap_or((authorization, ""));
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            return self.matches(credentials.as_bytes());
        }
        if scheme.eq_ignore_ascii_case("basic") {
            let Ok(decoded) = aws_smithy_types::base64::decode(credentials) else {
                return false;
            };
            let password = decoded
                .iter()
                .position(|&b| b == b':')
                .map_or(&[][..], |colon| &decoded[colon + 1..]);
            return self.matches(password);
        }
        false
    }

    /// Compares in time that depends on the lengths only, not on where the bytes differ.
    fn matches(&self, candidate: &[u8]) -> bool {
        let expected = self.0.as_bytes();
        let mut difference = u8::from(expected.len() != candidate.len());
        for (index, byte) in expected.iter().enumerate() {
            let other = candidate.get(index).copied().unwrap_or(!byte);
            difference |= byte ^ other;
        }
        std::hint::black_box(difference) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Token {
        Token::new("s3cret-token").expect("token")
    }

    #[test]
    fn bearer_and_basic_credentials_with_the_token_are_accepted() {
        assert!(token().authorizes("Bearer s3cret-token"));
        assert!(token().authorizes("bearer  s3cret-token "));
        let basic = aws_smithy_types::base64::encode("anyone:s3cret-token");
        assert!(token().authorizes(&format!("Basic {basic}")));
    }

    #[test]
    fn anything_else_is_refused() {
        for header in [
            "",
            "Bearer",
            "Bearer s3cret-toke",
            "Bearer s3cret-token2",
            "Bearer S3CRET-TOKEN",
            "s3cret-token",
            "Token s3cret-token",
            "Basic !!!",
        ] {
            assert!(!token().authorizes(header), "{header:?} must be refused");
        }
        let no_password = aws_smithy_types::base64::encode("s3cret-token");
        assert!(!token().authorizes(&format!("Basic {no_password}")));
    }

    #[test]
    fn a_token_file_gives_its_first_line_and_an_empty_one_is_an_error() {
        let dir = std::env::temp_dir().join(format!("afu9-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("token");
        std::fs::write(&file, "  s3cret-token \nsecond line\n").expect("write");
        let loaded = Token::load(Some(&file)).expect("loads").expect("a token");
        assert!(loaded.authorizes("Bearer s3cret-token"));
        std::fs::write(&file, "\n").expect("write");
        assert!(matches!(
            Token::load(Some(&file)),
            Err(TokenError::Empty(_))
        ));
        let missing = dir.join("missing");
        let err = Token::load(Some(&missing)).expect_err("no such file");
        assert!(err.to_string().contains("cannot read the token file"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_token_is_never_shown_by_debug() {
        assert!(!format!("{:?}", token()).contains("s3cret"));
        assert!(Token::new("  \n").is_none());
    }
}
