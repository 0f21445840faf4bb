//! Extending a draft: `POST /project_y/profile/drafts/{gen_id}/long_video_extension`
//! (docs/api.md, "Extending a draft"). The answer is a video task id, tracked like any other.

use serde::Serialize;

use super::client::{Client, segment};
use super::error::ApiError;

/// How much longer the extension makes the video: the service takes 10 or 15 seconds.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum ExtensionLength {
    /// 10 seconds more.
    #[default]
    #[value(name = "10")]
    #[serde(rename = "10")]
    S10,
    /// 15 seconds more.
    #[value(name = "15")]
    #[serde(rename = "15")]
    S15,
}

impl ExtensionLength {
    /// Seconds added: the `extension_duration_s` value.
    pub fn seconds(self) -> u32 {
        match self {
            ExtensionLength::S10 => 10,
            ExtensionLength::S15 => 15,
        }
    }

    /// The other length: what the form's toggle switches to.
    pub fn toggled(self) -> ExtensionLength {
        match self {
            ExtensionLength::S10 => ExtensionLength::S15,
            ExtensionLength::S15 => ExtensionLength::S10,
        }
    }
}

/// The body of an extension, fields in the order the known clients send them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtensionBody {
    /// What happens in the continuation.
    pub user_prompt: String,
    /// 10 or 15.
    pub extension_duration_s: u32,
    /// Lets the service rewrite the prompt, as the known clients always do.
    pub enable_rewrite: bool,
}

/// The body of an extension, exposed so the CLI can print what it sends.
pub fn extension_body(prompt: &str, length: ExtensionLength) -> ExtensionBody {
    ExtensionBody {
        user_prompt: prompt.to_string(),
        extension_duration_s: length.seconds(),
        enable_rewrite: true,
    }
}

impl Client {
    /// `POST /project_y/profile/drafts/{gen_id}/long_video_extension` (with the sentinel):
    /// continues the draft `gen_id` by `length`; returns the new video task's id.
    pub async fn extend_draft(
        &self,
        gen_id: &str,
        prompt: &str,
        length: ExtensionLength,
    ) -> Result<String, ApiError> {
        if prompt.trim().is_empty() {
            return Err(ApiError::InvalidInput(
                "the extension needs a prompt: describe what happens next".into(),
            ));
        }
        let gen_id = segment("generation", gen_id)?;
        let path = format!("/project_y/profile/drafts/{gen_id}/long_video_extension");
        self.create(&path, &extension_body(prompt, length)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_the_documented_fields() {
        let v =
            serde_json::to_value(extension_body("the owl lands", ExtensionLength::S15)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"user_prompt":"the owl lands","extension_duration_s":15,"enable_rewrite":true})
        );
    }
}
