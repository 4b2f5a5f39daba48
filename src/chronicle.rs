//! The chronicle of a run: its event log told for people, one line per entry, with the
//! engine's lines for what a scripted event just told folded into the event's line.

use tianxia_engine::record::log::{Cause, Mentioned};
use tianxia_engine::{LogKind, Sim};

/// One line of the chronicle.
pub struct Line {
    /// The index of its entry in the event log.
    pub entry: usize,
    /// Whether it details what the scripted event before it told (shown only when verbose).
    pub detail: bool,
    /// The line, dated, naming things by their display names (and Chinese names the first
    /// time).
    pub text: String,
}

/// The chronicle of `sim` so far; with `verbose`, also the lines an event's text has told.
pub fn lines(sim: &Sim, verbose: bool) -> Vec<Line> {
    let names = sim.names();
    let mentioned = std::cell::RefCell::new(Mentioned::default());
    let mut out = Vec::new();
    // The engine's lines for what a scripted event's effects did follow the event's line
    // in the same turn: folded into it by default, shown as its details with --verbose.
    let mut after_event: Option<u32> = None;
    for (i, e) in sim.log().entries().iter().enumerate() {
        let detail = after_event == Some(e.turn) && told_by_event(&e.kind);
        if matches!(e.kind, LogKind::Event { .. }) {
            after_event = Some(e.turn);
        } else if !detail {
            after_event = None;
        }
        if detail && !verbose {
            continue;
        }
        out.push(Line { entry: i, detail, text: e.told(names, &mentioned).to_string() });
    }
    out
}

/// Whether an engine line is what an effect of a scripted event does (and so what the
/// event's own text has just told, when it follows the event in the same turn).
fn told_by_event(kind: &LogKind) -> bool {
    use LogKind::*;
    match kind {
        AccessRequest { .. } | AccessGranted { .. } | Spawned { .. } | Reinforced { .. } => true,
        CommanderLost { .. } | CommanderAppointed { .. } => true,
        Weather { forced, .. } => *forced,
        Relation { cause, .. } | AccessEnded { cause, .. } => *cause == Cause::Event || *cause == Cause::Revoked,
        Captured { how, .. } => *how == Cause::Treaty,
        _ => false,
    }
}

/// Whether an entry is one of the chronicle's main lines (shown unless "every line" is
/// ticked): scripted events, battles, sieges, captures, losses of armies and commanders,
/// relations, and answers to requests and trespasses.
pub fn main_line(kind: &LogKind) -> bool {
    use LogKind::*;
    matches!(
        kind,
        Event { .. }
            | Battle { .. }
            | SiegeBegun { .. }
            | Assault { .. }
            | Captured { .. }
            | ArmyDestroyed { .. }
            | CommanderLost { .. }
            | Relation { .. }
            | AccessAnswer { .. }
            | Evaded { .. }
            | Sacked { .. }
            | Trapped { .. }
            | Famine { .. }
            | RunEnded { .. }
    )
}
