//! The hot path allocates nothing in steady state: a counting global allocator measures
//! the heap allocations of every turn of 1231 runs after the first few (the runs a batch
//! makes: the world rebuilt in place, the log keeping only its digest).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;
use tianxia_scenario::{LoadOptions, load};

struct Counting;

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to the system allocator unchanged; counting touches
// only a thread-local integer.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn count() -> u64 {
    COUNT.with(Cell::get)
}

/// Turns with events, battles or new army states (a marker combination seen for the
/// first time) may allocate; 95% of turns stay at or below ten allocations.
#[test]
fn a_steady_state_1231_turn_allocates_at_most_ten_times() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/1231_borrowed_road.ron");
    let scenario = load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    // Warm the runner up on other seeds, as a batch worker is.
    let mut runner = scenario.runner();
    for seed in 0..3 {
        scenario.run_with(&mut runner, seed, false).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut per_turn = Vec::with_capacity(4096);
    for seed in 100..110 {
        let sim = scenario.prepare(&mut runner, seed).unwrap_or_else(|e| panic!("{e}"));
        let mut turn = 0;
        loop {
            let before = count();
            let more = sim.step();
            if turn >= 5 {
                per_turn.push(count() - before);
            }
            turn += 1;
            if !more {
                break;
            }
        }
    }
    per_turn.sort_unstable();
    let median = per_turn[per_turn.len() / 2];
    let p95 = per_turn[per_turn.len() * 95 / 100];
    let max = per_turn[per_turn.len() - 1];
    eprintln!("allocations per turn after the first five: median {median}, p95 {p95}, max {max}");
    assert!(p95 <= 10, "{p95} allocations in the 95th-percentile turn (median {median}, max {max})");
}
