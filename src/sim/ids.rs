//! Identifier formats, matching the ones seen on the live service.

use std::time::{SystemTime, UNIX_EPOCH};

/// Crockford base32, lowercase: the alphabet of ULIDs such as `01k9h46nmhejjbq1nc1rej0w9z`.
const BASE32: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// 26 lowercase base32 characters: 10 of millisecond timestamp, 16 random (a ULID).
pub fn ulid() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mut out = String::with_capacity(26);
    for i in (0..10).rev() {
        out.push(BASE32[((millis >> (5 * i)) & 31) as usize] as char);
    }
    for _ in 0..16 {
        out.push(BASE32[fastrand::usize(..32)] as char);
    }
    out
}

/// `n` random lowercase hex digits.
pub fn hex(n: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    (0..n).map(|_| HEX[fastrand::usize(..16)] as char).collect()
}

/// A task id: `task_` + 26 base32 characters.
pub fn task_id() -> String {
    format!("task_{}", ulid())
}

/// A generation (draft) id: `gen_` + 26 base32 characters.
pub fn generation_id() -> String {
    format!("gen_{}", ulid())
}

/// A published post id: `s_` + 32 hex digits.
pub fn post_id() -> String {
    format!("s_{}", hex(32))
}

/// A file id as returned by `/project_y/file/upload`: `file_` + 32 hex digits.
pub fn file_id() -> String {
    format!("file_{}", hex(32))
}

/// The asset pointer of a file id: `sediment://file_…`.
pub fn file_pointer(file_id: &str) -> String {
    format!("sediment://{file_id}")
}

/// An uploaded image's id.
pub fn media_id() -> String {
    format!("media_{}", hex(24))
}

/// An uploaded cameo's id.
pub fn cameo_id() -> String {
    format!("cameo_{}", hex(24))
}

/// A finalized character's id.
pub fn character_id() -> String {
    format!("ch_{}", hex(24))
}

/// The account's user id.
pub fn user_id() -> String {
    format!("user-{}", hex(24))
}

/// Whether `s` has the shape of a published post id (`s_` + 32 lowercase hex).
pub fn is_post_id(s: &str) -> bool {
    s.strip_prefix("s_").is_some_and(|rest| {
        rest.len() == 32 && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_base32(s: &str) -> bool {
        s.bytes().all(|b| BASE32.contains(&b))
    }

    #[test]
    fn task_and_generation_ids_are_prefixed_ulids() {
        let task = task_id();
        let rest = task.strip_prefix("task_").expect("task_ prefix");
        assert_eq!(rest.len(), 26);
        assert!(is_base32(rest), "{task}");
        let generation = generation_id();
        let rest = generation.strip_prefix("gen_").expect("gen_ prefix");
        assert_eq!(rest.len(), 26);
        assert!(is_base32(rest), "{generation}");
        assert_ne!(task_id(), task_id());
    }

    #[test]
    fn ulids_start_with_the_current_time() {
        let id = ulid();
        let millis = id[..10].bytes().fold(0u64, |acc, b| {
            let digit = BASE32.iter().position(|&c| c == b).expect("base32 digit") as u64;
            acc * 32 + digit
        });
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_millis() as u64;
        assert!(
            now.abs_diff(millis) < 60_000,
            "{id} decodes to {millis}, now {now}"
        );
    }

    #[test]
    fn post_ids_and_pointers_have_32_hex_digits() {
        let post = post_id();
        assert!(is_post_id(&post), "{post}");
        let pointer = file_pointer(&file_id());
        let rest = pointer.strip_prefix("sediment://file_").expect("prefix");
        assert_eq!(rest.len(), 32);
        assert!(rest.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn post_id_check_rejects_near_misses() {
        assert!(is_post_id("s_0123456789abcdef0123456789abcdef"));
        assert!(!is_post_id("s_0123456789abcdef0123456789abcde"));
        assert!(!is_post_id("s_0123456789ABCDEF0123456789abcdef"));
        assert!(!is_post_id("gen_0123456789abcdef0123456789abcdef"));
        assert!(!is_post_id(
            "https://sora.chatgpt.com/p/s_0123456789abcdef0123456789abcdef"
        ));
    }

    #[test]
    fn other_ids_have_their_prefixes() {
        assert!(media_id().starts_with("media_"));
        assert!(cameo_id().starts_with("cameo_"));
        assert!(character_id().starts_with("ch_"));
        assert!(user_id().starts_with("user-"));
        assert_eq!(hex(10).len(), 10);
    }
}
