//! Which request ids a client may choose. The id is echoed in the response and written into
//! every log line of the request, so one of any length or with any characters would let a
//! client bloat the log or forge fields in it; such an id is replaced by a fresh one.

use axum::extract::Request;

use super::REQUEST_ID;

/// Long enough for any UUID, trace id or prefixed counter a client or proxy uses.
pub const MAX_LEN: usize = 128;

/// Letters, digits and `.`, `_`, `:`, `-`: nothing a log line could mistake for structure.
pub fn acceptable(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Removes a client's id that is not [`acceptable`], so the next layer makes a fresh one.
/// Every copy of the header is looked at: with two, the first would otherwise be kept.
pub fn drop_unacceptable(mut request: Request) -> Request {
    let values = request.headers().get_all(REQUEST_ID);
    let mut values = values.iter();
    let keep = matches!(
        (values.next(), values.next()),
        (Some(only), None) if acceptable(only.as_bytes())
    );
    if !keep {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn short_plain_ids_only() {
        for ok in ["a", "test-req-42", "0f8c:2.x_y", &"z".repeat(128)] {
            assert!(acceptable(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            &"z".repeat(129),
            "a b",
            "a\"b",
            "a\nb",
            "x request_id=forged",
            "é",
        ] {
            assert!(!acceptable(bad.as_bytes()), "{bad:?}");
        }
    }
}
