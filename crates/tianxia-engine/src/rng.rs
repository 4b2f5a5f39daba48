//! Random streams. One ChaCha8 stream per subsystem, derived from (seed, stream id), so a
//! new draw in one system never shifts the draws of another.

use bevy_ecs::prelude::Resource;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The subsystems that draw randomness, each with its own stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Sampling uncertain scenario numbers once per run (used by the scenario crate).
    Setup = 1,
    /// Weather draws.
    Weather = 2,
    /// Event chances.
    Events = 3,
    /// Diplomatic answers and trespass responses.
    Diplomacy = 4,
    /// AI choices.
    Ai = 5,
    /// Battle noise.
    Combat = 6,
    /// Siege events.
    Siege = 7,
    /// Marching: the way lost on unfamiliar mountain routes.
    Movement = 8,
    /// Refusing battle and harassing.
    Evasion = 9,
}

/// The generator for `stream` of the run with seed `seed`.
pub fn stream_rng(seed: u64, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng
}

/// The per-subsystem generators of one run.
#[derive(Resource, Clone, Debug)]
pub struct Rngs {
    /// Weather draws.
    pub weather: ChaCha8Rng,
    /// Event chances.
    pub events: ChaCha8Rng,
    /// Diplomatic answers and trespass responses.
    pub diplomacy: ChaCha8Rng,
    /// AI choices.
    pub ai: ChaCha8Rng,
    /// Battle noise.
    pub combat: ChaCha8Rng,
    /// Siege events.
    pub siege: ChaCha8Rng,
    /// Marching.
    pub movement: ChaCha8Rng,
    /// Whether an army that refuses battle is caught.
    pub evasion: ChaCha8Rng,
}

/// Where a random stream stands: its key, stream number and position, which together
/// give back the generator exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RngState {
    /// The ChaCha key.
    pub seed: [u8; 32],
    /// The ChaCha stream number.
    pub stream: u64,
    /// Words drawn so far.
    pub word_pos: u128,
}

impl RngState {
    /// Where `rng` stands.
    pub fn of(rng: &ChaCha8Rng) -> RngState {
        RngState { seed: rng.get_seed(), stream: rng.get_stream(), word_pos: rng.get_word_pos() }
    }

    /// The generator standing there.
    pub fn rng(&self) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.seed);
        rng.set_stream(self.stream);
        rng.set_word_pos(self.word_pos);
        rng
    }
}

impl Rngs {
    /// How many streams a run has.
    pub const STREAMS: usize = 8;

    /// Where every stream stands, in declaration order.
    pub fn state(&self) -> [RngState; Rngs::STREAMS] {
        [
            &self.weather,
            &self.events,
            &self.diplomacy,
            &self.ai,
            &self.combat,
            &self.siege,
            &self.movement,
            &self.evasion,
        ]
        .map(RngState::of)
    }

    /// The streams standing where `state` says.
    pub fn from_state(state: &[RngState; Rngs::STREAMS]) -> Rngs {
        let [weather, events, diplomacy, ai, combat, siege, movement, evasion] = state.map(|s| s.rng());
        Rngs { weather, events, diplomacy, ai, combat, siege, movement, evasion }
    }

    /// The streams of the run with master seed `seed`.
    pub fn new(seed: u64) -> Rngs {
        Rngs {
            weather: stream_rng(seed, Stream::Weather),
            events: stream_rng(seed, Stream::Events),
            diplomacy: stream_rng(seed, Stream::Diplomacy),
            ai: stream_rng(seed, Stream::Ai),
            combat: stream_rng(seed, Stream::Combat),
            siege: stream_rng(seed, Stream::Siege),
            movement: stream_rng(seed, Stream::Movement),
            evasion: stream_rng(seed, Stream::Evasion),
        }
    }
}

/// Bits of a seed: seeds are below 2^53, so every tool that holds numbers as doubles
/// (R, JavaScript, most CSV readers) holds them exactly.
pub const SEED_BITS: u32 = 53;

/// Every seed is below this (2^53).
pub const SEED_LIMIT: u64 = 1 << SEED_BITS;

/// `seed` if it is a valid seed (below [`SEED_LIMIT`]), else why not.
pub fn check_seed(seed: u64) -> Result<u64, String> {
    if seed < SEED_LIMIT {
        Ok(seed)
    } else {
        Err(format!("seed {seed}: seeds are below 2^53 ({SEED_LIMIT}), so that every tool reads them exactly"))
    }
}

/// The seed of run `index` of a batch with base seed `base`: the top [`SEED_BITS`] bits of
/// a SplitMix64 mix (below [`SEED_LIMIT`]), so neighbouring runs get unrelated seeds and any
/// run can be replayed alone.
pub fn run_seed(base: u64, index: u64) -> u64 {
    let mut z = base ^ index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) >> (64 - SEED_BITS)
}
