//! Command: what an army's commanders bring it (best skill, traits, rivalry), assessed
//! when its command changes and read by every rule that needs it.

use crate::model::army::{Commanders, Dissolved, Leadership};
use crate::rules::lookup::Leaders;
use bevy_ecs::prelude::*;

/// Armies whose command changed since the last assessment.
type Reassigned = (Changed<Commanders>, Without<Dissolved>);

/// Updates [`Leadership`] of every army whose commanders changed (or that just took the
/// field).
pub fn assess_command(leaders: Leaders, mut armies: Query<(&Commanders, &mut Leadership), Reassigned>) {
    for (cmd, mut led) in &mut armies {
        *led = leaders.led(&cmd.0);
    }
}
