//! Diplomacy: truces and access terms expire, tribute is paid at the new year, and
//! requests for passage are answered by the host's policy.

use crate::calendar::{Calendar, days_after};
use crate::ids::FactionId;
use crate::model::diplomacy::{Diplomacy, Relation};
use crate::model::faction::{Coffers, Policy};
use crate::model::index::Index;
use crate::record::log::{Cause, EventLog, LogKind};
use crate::record::outcome::Metrics;
use crate::rng::Rngs;
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Diplomacy phase.
#[allow(clippy::too_many_arguments)]
pub fn conduct_diplomacy(
    cal: Res<Calendar>,
    index: Res<Index>,
    mut diplomacy: ResMut<Diplomacy>,
    mut coffers: Query<&mut Coffers>,
    policies: Query<&Policy>,
    mut metrics: ResMut<Metrics>,
    mut rngs: ResMut<Rngs>,
    mut log: ResMut<EventLog>,
) {
    let today = cal.date.to_days();
    let n = index.factions.len();
    for a in 0..n {
        for b in a + 1..n {
            let (fa, fb) = (FactionId(a as u32), FactionId(b as u32));
            if let Relation::Truce { until } = diplomacy.relation(fa, fb)
                && today >= until
            {
                diplomacy.set(fa, fb, Relation::Peace);
                log.push(
                    &cal,
                    LogKind::Relation { a: fa, b: fb, relation: Relation::Peace, cause: Cause::TruceExpired },
                );
            }
        }
    }

    let mut i = 0;
    while i < diplomacy.access.len() {
        let a = &diplomacy.access[i];
        if a.until.is_some_and(|u| today >= u) {
            let (grantor, grantee) = (a.grantor, a.grantee);
            diplomacy.access.remove(i);
            log.push(&cal, LogKind::AccessEnded { grantor, grantee, cause: Cause::TermEnded });
        } else {
            i += 1;
        }
    }

    if cal.turn_crosses_new_year() {
        for k in 0..diplomacy.tributes.len() {
            let t = diplomacy.tributes[k].clone();
            let (Some(&pe), Some(&qe)) = (index.factions.get(t.payer.index()), index.factions.get(t.payee.index()))
            else {
                continue;
            };
            let paid = coffers.get(pe).map_or(0.0, |c| t.silver.min(c.treasury.max(0.0)));
            if let Ok(mut c) = coffers.get_mut(pe) {
                c.treasury -= paid;
            }
            if let Ok(mut c) = coffers.get_mut(qe) {
                c.treasury += paid;
            }
            log.push(&cal, LogKind::Tribute { payer: t.payer, payee: t.payee, silver: paid, silk: t.silk });
        }
    }

    if diplomacy.requests.is_empty() {
        return;
    }
    let requests = std::mem::take(&mut diplomacy.requests);
    for req in &requests {
        let host = req.terms.grantor;
        let chance =
            index.factions.get(host.index()).and_then(|e| policies.get(*e).ok()).map_or(0.0, |p| p.grant_access_chance);
        let granted = rngs.diplomacy.random::<f64>() < chance;
        log.push(&cal, LogKind::AccessAnswer { host, requester: req.terms.grantee, granted });
        let flag = if granted { &req.on_grant } else { &req.on_refuse };
        if let Some(f) = flag {
            metrics.flags.insert(f.clone());
        }
        if granted {
            let mut terms = req.terms.clone();
            terms.until = req.days.map(|d| days_after(today, d));
            diplomacy.access.push(terms);
        }
    }
    let mut requests = requests;
    requests.clear();
    if diplomacy.requests.is_empty() {
        // Hand the buffer back; the requests were already taken, nothing else changes.
        diplomacy.bypass_change_detection().requests = requests;
    }
}

/// Sets a relation, logging the change; war ends any access between the two.
pub fn set_relation(world: &mut World, cal: &Calendar, a: FactionId, b: FactionId, relation: Relation, cause: Cause) {
    let mut d = world.resource_mut::<Diplomacy>();
    if d.relation(a, b) == relation {
        return;
    }
    d.set(a, b, relation);
    let ended = relation == Relation::War && (d.revoke(a, b) | d.revoke(b, a));
    let mut log = world.resource_mut::<EventLog>();
    log.push(cal, LogKind::Relation { a, b, relation, cause });
    if ended {
        log.push(cal, LogKind::AccessEnded { grantor: a, grantee: b, cause: Cause::War });
    }
}
