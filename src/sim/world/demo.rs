//! The demo account's starting data (`SimConfig::seed_demo`): a few dozen finished drafts of
//! every kind the live service shows (landscape, portrait and square, 5 to 25 s, HD, styles,
//! published posts and remixes of them, one content violation), finished image generations,
//! and one finalized cameo, all dated in the past as if made over the last days. Everything
//! is made through the same structures the routes fill, so it reads exactly like data made
//! during the run.

use tokio::time::Instant;

use super::{Cameo, Character, Draft, ImageSpec, ImageTask, Orientation, Post, Size, World};
use crate::sim::state::{ImagePlan, VideoOutcome};
use crate::sim::{CameoOutcome, ids};

/// The finalized cameo's username (the form the sim's own hints take).
pub const CAMEO_USERNAME: &str = "demo.cameo.1";
/// The finalized cameo's display name.
pub const CAMEO_DISPLAY_NAME: &str = "Demo Cameo";

/// What one seeded draft is.
struct Seed {
    prompt: &'static str,
    orientation: Orientation,
    seconds: u32,
    size: Size,
    style: Option<&'static str>,
    /// Published as a post with this caption.
    caption: Option<&'static str>,
    /// A remix of the post of the seed at this index (which must be published and older).
    remix_of: Option<usize>,
    violation: bool,
}

const fn seed(prompt: &'static str, orientation: Orientation, seconds: u32) -> Seed {
    Seed {
        prompt,
        orientation,
        seconds,
        size: Size::Small,
        style: None,
        caption: None,
        remix_of: None,
        violation: false,
    }
}

const fn published(mut s: Seed, caption: &'static str) -> Seed {
    s.caption = Some(caption);
    s
}

const fn remix(mut s: Seed, of: usize) -> Seed {
    s.remix_of = Some(of);
    s
}

const fn hd(mut s: Seed) -> Seed {
    s.size = Size::Large;
    s
}

const fn styled(mut s: Seed, style: &'static str) -> Seed {
    s.style = Some(style);
    s
}

const fn violation(mut s: Seed) -> Seed {
    s.violation = true;
    s
}

use Orientation::{Landscape as L, Portrait as P, Square as S};

/// Oldest first.
const SEEDS: [Seed; 36] = [
    published(
        seed(
            "A red fox trotting through fresh snow at dawn, breath visible in the cold air",
            L,
            10,
        ),
        "first light",
    ),
    seed(
        "Timelapse of a city skyline as storm clouds roll in and the lights flicker on",
        L,
        15,
    ),
    published(
        seed(
            "A corgi surfing a small wave at sunset, handheld camera",
            P,
            10,
        ),
        "surf's up 🏄",
    ),
    seed(
        "A paper boat drifting down a rain-filled gutter, macro lens, shallow depth of field",
        L,
        5,
    ),
    hd(seed(
        "An astronaut planting a sunflower on a dusty red plain, cinematic wide shot",
        L,
        10,
    )),
    remix(
        seed("the same fox, but in a neon cyberpunk city at night", L, 10),
        0,
    ),
    seed(
        "Close-up of a barista pouring latte art in slow motion",
        S,
        10,
    ),
    styled(
        seed(
            "Hot air balloons rising over a misty valley, drone shot",
            L,
            15,
        ),
        "retro",
    ),
    seed(
        "A lighthouse keeper climbing spiral stairs by lantern light",
        P,
        10,
    ),
    violation(seed("A gory battle scene with graphic injuries", L, 10)),
    published(
        seed(
            "Koi fish circling in a pond as cherry blossom petals land on the water",
            P,
            15,
        ),
        "spring pond",
    ),
    seed("A vintage train crossing a stone viaduct in autumn", L, 25),
    remix(
        seed(
            "make the corgi ride a longboard down a city street instead",
            P,
            10,
        ),
        2,
    ),
    seed(
        "Neon-lit ramen stall on a rainy night, steam rising from the bowls",
        P,
        10,
    ),
    seed(
        "A hummingbird hovering at a feeder, 240 fps slow motion",
        S,
        5,
    ),
    styled(
        seed("A tiny robot watering a bonsai tree on a windowsill", L, 10),
        "anime",
    ),
    seed(
        "Waves crashing against black volcanic rocks, long exposure feel",
        L,
        10,
    ),
    hd(published(
        seed(
            "Northern lights dancing over a frozen lake, a lone cabin glowing",
            L,
            15,
        ),
        "aurora",
    )),
    seed(
        "A chef flipping a pancake that turns into a tiny planet mid-air",
        S,
        10,
    ),
    remix(
        seed("koi pond at night, lanterns floating on the water", P, 15),
        10,
    ),
    seed(
        "Street musician playing violin in a subway station, people rushing past",
        P,
        10,
    ),
    seed(
        "A snail racing a leaf down a garden path, dramatic sports commentary framing",
        L,
        5,
    ),
    styled(
        seed("An origami crane unfolding itself and flying away", S, 10),
        "papercraft",
    ),
    seed(
        "Desert caravan at golden hour, camels casting long shadows",
        L,
        25,
    ),
    seed(
        "A cat knocking a glass off a table in extreme slow motion",
        P,
        10,
    ),
    published(
        seed(
            "Rain on a window with a blurry city behind, cozy and quiet",
            P,
            10,
        ),
        "rainy day mood",
    ),
    seed(
        "A jellyfish pulsing through dark water, bioluminescent trails",
        P,
        15,
    ),
    seed(
        "Skateboarder doing a kickflip over a puddle, reflection in the water",
        L,
        10,
    ),
    hd(seed(
        "A medieval market square coming to life at sunrise",
        L,
        10,
    )),
    remix(
        seed("the aurora, but seen from inside the cabin window", L, 15),
        17,
    ),
    seed(
        "A dog shaking off water in slow motion, droplets everywhere",
        S,
        5,
    ),
    seed(
        "Sunflowers turning their heads to follow the sun, timelapse",
        L,
        10,
    ),
    styled(
        seed("A detective walking down a foggy alley, film noir", P, 10),
        "film_noir",
    ),
    seed(
        "Two otters holding hands while floating on a calm river",
        L,
        10,
    ),
    seed(
        "A glass of water on a train table, ripples as the train brakes",
        S,
        10,
    ),
    seed(
        "A kite festival on a windy beach, hundreds of colourful kites",
        L,
        15,
    ),
];

/// Finished image generations, oldest first: prompt, width, height, variants.
const IMAGES: [(&str, u32, u32, u32); 4] = [
    ("A watercolor map of an imaginary island", 540, 360, 2),
    (
        "Portrait of a fox wearing a knitted scarf, studio lighting",
        360,
        540,
        1,
    ),
    (
        "A cozy reading nook with a cat asleep on a pile of books",
        360,
        360,
        4,
    ),
    ("Poster of a retro rocket launch, 1960s style", 360, 540, 1),
];

impl World {
    /// Fills the account with the demo's starting data, dated before `now`.
    pub(super) fn seed_demo(&mut self, now: Instant) {
        // One draft every ~50 minutes back from now, oldest first.
        let spacing = 3000.0;
        let mut post_ids: Vec<Option<String>> = Vec::with_capacity(SEEDS.len());
        for (i, s) in SEEDS.iter().enumerate() {
            let age = (SEEDS.len() - i) as f64 * spacing + self.rng.f64() * 600.0;
            let created_at = super::round3(self.epoch_wall - age);
            let id = ids::generation_id();
            let remix_target_id = s.remix_of.and_then(|j| post_ids.get(j).cloned().flatten());
            let prompt = s.prompt.to_string();
            let seq = self.take_seq();
            let mut draft = Draft {
                seq,
                id: id.clone(),
                task_id: ids::task_id(),
                title: super::derive_title(&prompt),
                prompt,
                orientation: s.orientation,
                size: s.size,
                n_frames: s.seconds * 30,
                remix_target_id,
                style_id: s.style.map(str::to_string),
                inpaint_items: Vec::new(),
                extension_of: None,
                created_at,
                outcome: if s.violation {
                    VideoOutcome::Violation
                } else {
                    VideoOutcome::Succeed
                },
                reads: 0,
                post_id: None,
            };
            let post_id = s.caption.map(|caption| {
                let post = Post {
                    id: ids::post_id(),
                    generation_id: id.clone(),
                    text: caption.to_string(),
                    posted_at: super::round3(created_at + 120.0),
                    deleted: false,
                };
                let post_id = post.id.clone();
                self.posts.insert(post_id.clone(), post);
                post_id
            });
            draft.post_id = post_id.clone();
            post_ids.push(post_id);
            self.drafts.push(draft);
        }
        for (i, (prompt, width, height, variants)) in IMAGES.iter().enumerate() {
            let age = (IMAGES.len() - i) as f64 * 7200.0;
            let created = now
                .checked_sub(std::time::Duration::from_secs_f64(age))
                .unwrap_or(now);
            let mut plan = ImagePlan::new(prompt, 0.5);
            if created == now {
                // The clock cannot go that far back: finished from the start all the same.
                plan.queued = -1.0;
                plan.running = f64::MIN_POSITIVE;
            }
            self.images.push(ImageTask {
                id: ids::task_id(),
                spec: ImageSpec {
                    prompt: prompt.to_string(),
                    operation: "simple_compose".into(),
                    width: *width,
                    height: *height,
                    n_variants: *variants,
                    upload_ids: Vec::new(),
                },
                created,
                created_at: super::round3(self.epoch_wall - age),
                plan,
                generation_ids: (0..*variants).map(|_| ids::generation_id()).collect(),
            });
        }
        self.seed_cameo(now);
    }

    /// One cameo, processed and finalized as `@demo.cameo.1`, private.
    fn seed_cameo(&mut self, now: Instant) {
        let cameo_id = ids::cameo_id();
        let character_id = ids::character_id();
        let (_, pointer) = self.add_file();
        // Long enough ago that its processing is over at any speed.
        let created = now
            .checked_sub(std::time::Duration::from_secs(3600))
            .unwrap_or(now);
        self.cameos.insert(
            cameo_id.clone(),
            Cameo {
                id: cameo_id.clone(),
                number: 1,
                created,
                outcome: CameoOutcome::Complete,
                character_id: Some(character_id.clone()),
                visibility: "private".into(),
            },
        );
        self.taken.insert(CAMEO_USERNAME.to_string());
        self.characters.insert(
            character_id.clone(),
            Character {
                id: character_id,
                cameo_id,
                username: CAMEO_USERNAME.to_string(),
                display_name: CAMEO_DISPLAY_NAME.to_string(),
                profile_asset_pointer: pointer,
                deleted: false,
            },
        );
    }

    /// The seeded cameo: its cameo id and character id, for the demo's local record of it.
    pub fn demo_cameo(&self) -> Option<(String, String)> {
        self.characters
            .values()
            .find(|c| c.username == CAMEO_USERNAME && !c.deleted)
            .map(|c| (c.cameo_id.clone(), c.id.clone()))
    }
}
