//! Command: what an army's commanders bring it (best skill, traits, rivalry), assessed
//! when its command changes and read by every rule that needs it. A commander who has
//! fallen (in battle, as his army broke up, or by an event) leaves every army's list.

use crate::ids::CommanderId;
use crate::model::army::{Commanders, Dissolved, Leadership};
use crate::model::commander::Fallen;
use crate::rules::lookup::Leaders;
use bevy_ecs::prelude::*;

/// Updates [`Leadership`] of every army whose commanders changed (or that just took the
/// field), after taking every fallen commander off every list (a commander may be listed
/// in more than one army, and an army an event raises later may name one who has fallen).
/// It reads the `Fallen` marker itself, not its insertion tick, so a restored snapshot
/// assesses exactly as the uninterrupted run.
pub fn assess_command(
    leaders: Leaders,
    fallen: Query<&CommanderId, With<Fallen>>,
    mut armies: Query<(&mut Commanders, &mut Leadership), Without<Dissolved>>,
    mut gone: Local<Vec<CommanderId>>,
) {
    gone.clear();
    gone.extend(fallen.iter().copied());
    for (mut cmd, mut led) in &mut armies {
        if !gone.is_empty() && cmd.0.iter().any(|c| gone.contains(c)) {
            cmd.0.retain(|c| !gone.contains(c));
        }
        if cmd.is_changed() {
            *led = leaders.led(&cmd.0);
        }
    }
}
