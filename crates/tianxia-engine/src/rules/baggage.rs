//! Baggage: the grain an army carries ([`Supplies`]) travels in its train, which a lost
//! battle, a rout or harassment can destroy or hand to the enemy.
//!
//! A beaten army loses `baggage_loss_defeat` of its train (`baggage_loss_rout` if it
//! routs); the victors take `baggage_capture_share` of what was lost, split by their men,
//! each up to what it can carry (`carry_days` of its needs); the rest is destroyed. The
//! carts and animals go with the grain: an army that lost a share of its train carries
//! that much less until it has rebuilt it (`train_rebuild_per_day`, in land it may draw
//! grain from).

use crate::calendar::Calendar;
use crate::model::army::{Strength, Supplies};
use crate::params::Params;
use crate::rules::supply::daily_need;

/// The grain an army can carry: `carry_days` of its rations and fodder, times what is
/// left of its train.
pub fn carry_capacity(s: &Strength, supplies: &Supplies, p: &Params, cal: &Calendar) -> f64 {
    daily_need(s, p, cal.date.season(), cal.date.month) * p.carry_days.max(0.0) * supplies.train.clamp(0.0, 1.0)
}

/// Takes `share` (0..1) of the train, carts and grain; returns the grain lost.
pub fn lose_baggage(supplies: &mut Supplies, share: f64) -> f64 {
    let share = share.clamp(0.0, 1.0);
    let lost = supplies.food * share;
    supplies.food -= lost;
    supplies.train *= 1.0 - share;
    lost
}

/// Loads up to `grain` into the train of an army of strength `s`, as far as it can
/// carry; returns the grain taken.
pub fn take_baggage(supplies: &mut Supplies, s: &Strength, grain: f64, p: &Params, cal: &Calendar) -> f64 {
    let room = (carry_capacity(s, supplies, p, cal) - supplies.food).max(0.0);
    let taken = grain.max(0.0).min(room);
    supplies.food += taken;
    taken
}
