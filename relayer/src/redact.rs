//! What may be printed of a secret-bearing setting.

/// A database URL fit for an error message: its password replaced.
pub fn without_password(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only fails for URLs that cannot carry a password at all.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) => "the database URL given".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_database_password_is_not_printed() {
        assert_eq!(
            without_password("postgres://fog:s3cret@db:5432/fog"),
            "postgres://fog:***@db:5432/fog"
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/fog"),
            "postgres://postgres@127.0.0.1:5432/fog"
        );
        assert!(!without_password("not a url s3cret").contains("s3cret"));
    }
}
