//! Pictures in the terminal: a decoded [`Picture`] drawn into a `Rect` through
//! ratatui-image (kitty, sixel, iTerm2 or half-blocks, as the [`Picker`] says), or a
//! placeholder box saying it is loading or why it cannot be shown.
//!
//! The protocol objects ratatui-image makes are not plain data (a kitty image has an id the
//! terminal knows it by), so they live here, owned by the TUI loop beside `App`, keyed by
//! the picture and the size of its area; those not drawn in a frame are dropped at its end.

#[cfg(feature = "previews")]
use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::Rect;
#[cfg(feature = "previews")]
use ratatui::layout::Size;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};
#[cfg(feature = "previews")]
use ratatui_image::picker::Picker;
#[cfg(feature = "previews")]
use ratatui_image::protocol::Protocol;
#[cfg(feature = "previews")]
use ratatui_image::{Image, Resize};

use crate::app::thumbs::{Shown, Thumbs};
#[cfg(feature = "previews")]
use crate::worker::Picture;
use crate::worker::PictureKey;

use super::theme::Theme;

/// Protocol objects kept at most (a frame shows fewer; see `app::thumbs::MAX_WANTED`).
#[cfg(feature = "previews")]
const MAX_PROTOCOLS: usize = 96;

/// The protocol objects of the pictures on screen and the picker that makes them (in a
/// build without the `previews` feature: nothing, every picture is its placeholder).
pub struct Pictures {
    /// `None`: no renderer (pictures off, or drawing without one): placeholders only.
    #[cfg(feature = "previews")]
    picker: Option<Picker>,
    /// By picture and area size: the object and the frame it was last drawn in.
    #[cfg(feature = "previews")]
    cache: HashMap<(PictureKey, u16, u16), (Protocol, u64)>,
    /// The current frame's number.
    frame: u64,
}

impl Pictures {
    /// No renderer: every picture shows as its placeholder.
    pub fn none() -> Pictures {
        Pictures {
            #[cfg(feature = "previews")]
            picker: None,
            #[cfg(feature = "previews")]
            cache: HashMap::new(),
            frame: 0,
        }
    }

    /// Half-blocks at a fixed font size: for tests, benchmarks and terminals without a
    /// graphics protocol.
    pub fn halfblocks() -> Pictures {
        #[cfg(feature = "previews")]
        return Pictures::with_picker(Picker::halfblocks());
        #[cfg(not(feature = "previews"))]
        return Pictures::none();
    }

    /// Pictures through this picker (detected or chosen by `preview`).
    #[cfg(feature = "previews")]
    pub fn with_picker(picker: Picker) -> Pictures {
        Pictures {
            picker: Some(picker),
            ..Pictures::none()
        }
    }

    /// How many protocol objects are kept.
    pub fn len(&self) -> usize {
        #[cfg(feature = "previews")]
        return self.cache.len();
        #[cfg(not(feature = "previews"))]
        return 0;
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts a frame (what is drawn in it is kept at its end).
    pub fn begin_frame(&mut self) {
        self.frame += 1;
    }

    /// Ends a frame: drops the objects of pictures it did not draw (off screen).
    pub fn end_frame(&mut self) {
        #[cfg(feature = "previews")]
        {
            let frame = self.frame;
            self.cache.retain(|_, (_, seen)| *seen == frame);
        }
    }

    /// Draws the picture of `key` into `area` (centred, proportions kept), or the
    /// placeholder: `loading…`, the failure's reason, or `no picture`.
    pub fn draw(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        key: Option<&PictureKey>,
        thumbs: &Thumbs,
        theme: &Theme,
    ) {
        if area.width < 2 || area.height < 1 {
            return;
        }
        let shown = thumbs.shown(key);
        #[cfg(feature = "previews")]
        if let (Shown::Ready(picture), Some(key)) = (shown, key)
            && let Some(proto) = self.protocol(key, picture, area)
        {
            let size = proto.size();
            let x = area.x + (area.width.saturating_sub(size.width)) / 2;
            let y = area.y + (area.height.saturating_sub(size.height)) / 2;
            let at = Rect::new(
                x,
                y,
                size.width.min(area.width),
                size.height.min(area.height),
            );
            frame.render_widget(Image::new(proto), at);
            return;
        }
        let line = match shown {
            Shown::Ready(_) | Shown::Loading => Line::styled("loading…", theme.dim),
            Shown::Failed(reason) => Line::styled(reason.to_owned(), theme.error),
            Shown::Missing => Line::styled("no picture", theme.dim),
        };
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme.border);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let top = inner.height.saturating_sub(1) / 2;
        let text_area = Rect {
            y: inner.y + top,
            height: inner.height - top,
            ..inner
        };
        frame.render_widget(
            Paragraph::new(line).centered().wrap(Wrap { trim: true }),
            text_area,
        );
    }

    /// The protocol object for `picture` in `area`, made once per picture and size.
    #[cfg(feature = "previews")]
    fn protocol(&mut self, key: &PictureKey, picture: &Picture, area: Rect) -> Option<&Protocol> {
        let picker = self.picker.as_ref()?;
        let id = (key.clone(), area.width, area.height);
        if !self.cache.contains_key(&id) {
            if self.cache.len() >= MAX_PROTOCOLS {
                self.cache.clear();
            }
            let image =
                image::RgbaImage::from_raw(picture.width, picture.height, picture.rgba.to_vec())?;
            let proto = picker
                .new_protocol(
                    image::DynamicImage::ImageRgba8(image),
                    Size::new(area.width, area.height),
                    Resize::Scale(None),
                )
                .ok()?;
            self.cache.insert(id.clone(), (proto, self.frame));
        }
        let entry = self.cache.get_mut(&id)?;
        entry.1 = self.frame;
        Some(&entry.0)
    }
}

#[cfg(all(test, feature = "previews"))]
mod tests {
    use super::*;
    use crate::worker::PictureEvent;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui_image::picker::ProtocolType;
    use std::sync::Arc;

    fn thumbs_with(key: &PictureKey) -> Thumbs {
        let mut t = Thumbs::default();
        let mut rgba = Vec::new();
        for y in 0..40u32 {
            for _ in 0..40u32 {
                rgba.extend_from_slice(if y < 20 {
                    &[255, 0, 0, 255]
                } else {
                    &[0, 0, 255, 255]
                });
            }
        }
        t.on_event(PictureEvent::Ready {
            key: key.clone(),
            picture: Picture {
                width: 40,
                height: 40,
                rgba: Arc::from(rgba),
            },
        });
        t
    }

    fn drawn(pictures: &mut Pictures, thumbs: &Thumbs, key: &PictureKey) -> String {
        let mut term = Terminal::new(TestBackend::new(20, 8)).unwrap();
        pictures.begin_frame();
        term.draw(|f| {
            pictures.draw(f, f.area(), Some(key), thumbs, &Theme::default());
        })
        .unwrap();
        pictures.end_frame();
        term.backend()
            .buffer()
            .content
            .iter()
            .map(|c| c.symbol())
            .collect()
    }

    fn picker(kind: ProtocolType) -> Pictures {
        #[allow(deprecated)]
        let mut p = Picker::from_fontsize(ratatui_image::FontSize::new(8, 16));
        p.set_protocol_type(kind);
        Pictures::with_picker(p)
    }

    #[test]
    fn kitty_and_sixel_pictures_write_their_escape_data_into_the_buffer() {
        let key = PictureKey::Draft("gen_1".into());
        let thumbs = thumbs_with(&key);
        let kitty = drawn(&mut picker(ProtocolType::Kitty), &thumbs, &key);
        assert!(kitty.contains("\x1b_G"), "{kitty:?}");
        let sixel = drawn(&mut picker(ProtocolType::Sixel), &thumbs, &key);
        assert!(sixel.contains("\x1bP"), "{sixel:?}");
        let half = drawn(&mut Pictures::halfblocks(), &thumbs, &key);
        assert!(half.contains('▀') || half.contains('▄'), "{half:?}");
        assert!(!half.contains('\x1b'));
    }

    #[test]
    fn objects_off_screen_are_dropped_at_the_end_of_a_frame() {
        let key = PictureKey::Draft("gen_1".into());
        let thumbs = thumbs_with(&key);
        let mut p = Pictures::halfblocks();
        drawn(&mut p, &thumbs, &key);
        assert_eq!(p.len(), 1);
        p.begin_frame();
        p.end_frame();
        assert!(p.is_empty());
    }

    #[test]
    fn a_missing_picture_is_a_placeholder() {
        let key = PictureKey::Draft("gen_2".into());
        let mut p = Pictures::halfblocks();
        let text = drawn(&mut p, &Thumbs::default(), &key);
        assert!(text.contains("loading…"), "{text}");
    }
}
