//! Commands and their output.

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tianxia_engine::Sim;
use tianxia_engine::calendar::Date;
use tianxia_engine::ids::{ArmyId, FactionId, ProvinceId};
use tianxia_engine::model::script::OutcomeValue;
use tianxia_scenario::{LoadError, LoadOptions, Scenario};

#[derive(Parser, Debug)]
#[command(name = "tianxia", version, about = "Deterministic strategy simulation of the Song-Jin-Mongol wars")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug, Clone)]
struct Layers {
    /// Apply a variant defined in the scenario (repeatable, applied in order).
    #[arg(long = "variant", value_name = "NAME")]
    variants: Vec<String>,
    /// Override a field: armies.tolui_right_wing.cavalry=50000 (VALUE in RON syntax).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// Layer a mod folder (with a mod.ron manifest) over the scenario.
    #[arg(long = "mod", value_name = "DIR")]
    mods: Vec<PathBuf>,
}

impl Layers {
    fn options(&self) -> LoadOptions {
        LoadOptions { variants: self.variants.clone(), sets: self.sets.clone(), mods: self.mods.clone() }
    }
}

/// What makes one run: the scenario, its seed and its layers.
#[derive(clap::Args, Debug, Clone)]
struct Play {
    /// The scenario file (.ron).
    scenario: PathBuf,
    /// Master seed of the run.
    #[arg(long, default_value_t = 0, value_parser = parse_seed)]
    seed: u64,
    #[command(flatten)]
    layers: Layers,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Play one run of a scenario headless and print its chronicle or result.
    #[command(after_help = "Example:\n  tianxia run scenarios/1231_borrowed_road.ron --seed 1\n  \
tianxia run scenarios/1231_borrowed_road.ron --seed 1 --variant no_blizzard --format json\n  \
tianxia run scenarios/1231_borrowed_road.ron --seed 1 --events log.jsonl --series turns.csv\n\n\
Exit codes: 0 success, 2 bad input (the located problems on stderr, nothing on stdout), 1 internal failure.")]
    Run {
        #[command(flatten)]
        play: Play,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write the full event log as JSON lines to this file.
        #[arg(long, value_name = "FILE.jsonl")]
        events: Option<PathBuf>,
        /// Write one row per turn, entity and metric (turn,date,entity,metric,value) to this
        /// CSV file: per faction its field men, provinces, grain and treasury; per army its
        /// men, morale, cohesion, food and province.
        #[arg(long, value_name = "FILE.csv")]
        series: Option<PathBuf>,
        /// Show every line of the event log, also the engine's own lines for what a
        /// scripted event just told (by default folded into the event's text).
        #[arg(long)]
        verbose: bool,
        /// Save a snapshot of the run at the first turn boundary on or after this day
        /// (YYYY-MM-DD), to --save; the run then goes on to its end as usual.
        #[arg(long, value_name = "DATE", requires = "save", value_parser = parse_date)]
        save_at: Option<Date>,
        /// The snapshot file --save-at writes.
        #[arg(long, value_name = "FILE", requires = "save_at")]
        save: Option<PathBuf>,
    },
    /// Continue a run from a snapshot (`run --save-at DATE --save FILE`): the same output
    /// as the uninterrupted run.
    #[command(
        after_help = "Example:\n  tianxia run scenarios/1231_borrowed_road.ron --seed 1 --save-at 1232-01-20 --save jan.snap\n  \
tianxia resume jan.snap --format json\n  \
tianxia resume jan.snap --seed 5 --format json    # the same moment, other dice\n\n\
The snapshot names its scenario file (by absolute path) and is refused if that file or its mods\n\
changed since, or if another engine version wrote it.\n\n\
Exit codes: 0 success, 2 a bad, damaged or outdated snapshot, 1 internal failure."
    )]
    Resume {
        /// The snapshot file.
        snapshot: PathBuf,
        /// Instead of the saved dice, fresh random streams from this seed: one run of a
        /// fork batch (`batch --from`), replayed alone.
        #[arg(long, value_parser = parse_seed)]
        seed: Option<u64>,
        /// With --seed: apply this variant at the fork, as arm NAME of `batch --from` does
        /// (repeatable: arm `a+b` is `--variant a --variant b`).
        #[arg(long = "variant", value_name = "NAME", requires = "seed")]
        variants: Vec<String>,
        /// With --seed: override a value at the fork (PATH=VALUE), as `batch --from --set`
        /// or a `--sweep` arm does.
        #[arg(long = "set", value_name = "PATH=VALUE", requires = "seed")]
        sets: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write the full event log (from the start of the run) as JSON lines to this file.
        #[arg(long, value_name = "FILE.jsonl")]
        events: Option<PathBuf>,
        /// Show every line of the event log.
        #[arg(long)]
        verbose: bool,
    },
    /// How the odds of an outcome moved along one history: at every K-th turn of the run
    /// of --seed, M runs forked from that moment estimate the outcome.
    #[command(
        after_help = "Each point forks --runs runs from the state of the history at that turn (fresh dice from\n\
run_seed(seed, i), everything else as it stood) and plays them to the end: p with a Wilson\n\
interval for a bool, frequencies for a category, mean and quantiles for a number.\n\n\
Example:\n  tianxia odds scenarios/1231_borrowed_road.ron --seed 1 --outcome decisive_battle_winner\n  \
tianxia odds scenarios/1231_borrowed_road.ron --seed 1 --outcome jin_field_army_destroyed \\\n      \
--every 2 --runs 200 --out odds/ && tianxia report odds odds/ --out odds.html\n\n\
Exit codes: 0 success, 2 bad input, 1 internal failure."
    )]
    Odds {
        #[command(flatten)]
        play: Play,
        /// The outcome to estimate.
        #[arg(long, value_name = "ID")]
        outcome: String,
        /// A point every K turns, from the start.
        #[arg(long, value_name = "K", default_value_t = 2)]
        every: u32,
        /// Runs forked at each point.
        #[arg(long, value_name = "M", default_value_t = 200)]
        runs: u64,
        /// Write odds.csv, odds.json and the history's events.jsonl to this folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Print no progress on stderr.
        #[arg(long)]
        quiet: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Run many seeds of a scenario across arms, and aggregate the outcomes.
    #[command(
        mut_arg("variants", |a| a.help(
            "Apply a variant (repeatable): without --arm, to the one arm; with --arm, to every arm, before its own"
        )),
        after_help = "Example:\n  tianxia batch scenarios/1231_borrowed_road.ron --runs 1000 --seed 7 \\\n      \
--arm baseline --arm no_blizzard --out results/\n\n\
Exit codes: 0 success, 2 bad input or a batch folder that does not fit, 1 internal failure.\n\n\
Arms:\n  \
with no --arm, one arm: the --variants (named after them, or `baseline` when there are none);\n  \
each --arm SPEC adds an arm: `baseline` (no variant of its own) or variants joined by `+`;\n  \
--variants given with --arm apply to every arm, before the arm's own: `--variant a --arm baseline\n  \
--arm b` runs `a` against `a+b`; --set applies to every arm; --sweep multiplies the arms by each value."
    )]
    Batch {
        /// The scenario file (.ron).
        scenario: PathBuf,
        /// Runs per arm.
        #[arg(long)]
        runs: u64,
        /// Base seed; run i uses a seed derived from (base seed, i) in every arm.
        #[arg(long, default_value_t = 0, value_parser = parse_seed)]
        seed: u64,
        /// Add an arm: `baseline`, or variant names joined by `+` (repeatable); see Arms below.
        #[arg(long = "arm", value_name = "SPEC")]
        arms: Vec<String>,
        /// Multiply the arms by each value of a field: PATH=V1,V2,... (repeatable).
        #[arg(long = "sweep", value_name = "PATH=V1,V2,...")]
        sweeps: Vec<String>,
        #[command(flatten)]
        layers: Layers,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Run only shard K of N (K from 0 to N-1); combine shards with `tianxia merge`.
        #[arg(long, value_name = "K/N", value_parser = parse_shard)]
        shard: Option<(u64, u64)>,
        /// Write runs.csv, summary.json and batch.json to this folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Continue an interrupted batch in --out without redoing finished runs.
        #[arg(long)]
        resume: bool,
        /// Fork every run from this snapshot (`run --save-at`): its state, fresh dice
        /// from the run's seed, and the arm's changes from then on (docs/snapshots.md).
        #[arg(long, value_name = "SNAPSHOT")]
        from: Option<PathBuf>,
        /// Print no progress on stderr (by default a bar on a terminal, else a line every
        /// 10 seconds or 10% of the runs, for cluster logs).
        #[arg(long)]
        quiet: bool,
        /// After the batch, write DIR/series.csv: the per-turn series (as `run --series`,
        /// with arm and run in front) of the first --series-runs runs of each arm.
        #[arg(long, value_name = "DIR")]
        series: Option<PathBuf>,
        /// Runs per arm in --series.
        #[arg(long, value_name = "K", default_value_t = 10, requires = "series")]
        series_runs: u64,
        /// Output format of the summary on stdout.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Combine the folders of a sharded batch into the result of the whole batch.
    #[command(after_help = "Example:\n  tianxia merge shards/* --out results/\n\n\
Exit codes: 0 success, 2 shards that do not make one finished batch (named in the message).")]
    Merge {
        /// Shard folders (each written by `batch --shard K/N --out DIR`).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the combined runs.csv and summary.json.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Show what a scenario holds: dates, factions, armies, variants, outcomes and every
    /// uncertain input with its distribution (after --mod, --variant and --set).
    #[command(after_help = "Example:\n  tianxia describe scenarios/1231_borrowed_road.ron --variant no_blizzard\n  \
tianxia describe scenarios/1231_borrowed_road.ron --format json | jq '.inputs'\n\n\
Exit codes: 0 success, 2 bad input (the located problems on stderr).")]
    Describe {
        /// The scenario file (.ron).
        scenario: PathBuf,
        #[command(flatten)]
        layers: Layers,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Draw the scenario's map as the modder wrote it: one self-contained SVG with provinces
    /// at their coordinates, controllers at the start, fortifications, routes by kind and
    /// seasonal closures (after --mod, --variant and --set).
    #[command(after_help = "Example:\n  tianxia map scenarios/1231_borrowed_road.ron --out map.svg\n  \
tianxia map scenarios/1231_borrowed_road.ron --variant song_grants_passage --out passage.svg\n\n\
Exit codes: 0 success, 2 bad input or a file that cannot be written.")]
    Map {
        /// The scenario file (.ron).
        scenario: PathBuf,
        #[command(flatten)]
        layers: Layers,
        /// The SVG file to write.
        #[arg(long, value_name = "FILE.svg")]
        out: PathBuf,
    },
    /// Draw a run or a batch as one self-contained HTML page (map, tracks, chronicle,
    /// charts), to open in any browser offline.
    Report {
        #[command(subcommand)]
        what: ReportCommand,
    },
    /// Play two runs side by side and report where they part: the first turn whose state
    /// differs, what differs, and the first log entries that differ.
    #[command(after_help = "Arms are as in batch: `baseline`, or variants joined by `+`.\n\n\
Example:\n  tianxia diverge scenarios/1231_borrowed_road.ron --arm baseline --arm no_blizzard --seed 42\n  \
tianxia diverge scenarios/1231_borrowed_road.ron --arm baseline --arm baseline --seed 1 --seed-b 2\n\n\
Exit codes: 0 success (whether or not the runs differ), 2 bad input.")]
    Diverge {
        /// The scenario file (.ron).
        scenario: PathBuf,
        /// The two arms, A then B (each `baseline` or variants joined by `+`).
        #[arg(long = "arm", value_name = "SPEC", num_args = 1, required = true)]
        arms: Vec<String>,
        /// Seed of A (and of B, unless --seed-b).
        #[arg(long, default_value_t = 0, value_parser = parse_seed)]
        seed: u64,
        /// Seed of B.
        #[arg(long, value_parser = parse_seed)]
        seed_b: Option<u64>,
        /// Override a field in both runs (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Layer a mod folder over the scenario (repeatable).
        #[arg(long = "mod", value_name = "DIR")]
        mods: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Which assumptions decide: Sobol first-order and total indices of each outcome to
    /// each uncertain input, with the run's own randomness as the factor `seed`.
    #[command(after_help = "Runs N(k+2) runs for k factors (Saltelli's design): the seed, every uncertain input\n\
of the scenario, and each --factor PATH=LO..HI (drawn uniformly). Writes DIR/samples.csv\n\
(every run: block, base index, seed, inputs, outcomes) and DIR/sensitivity.json.\n\n\
Example:\n  tianxia sensitivity scenarios/1231_borrowed_road.ron --runs 512 --out sens/\n  \
tianxia sensitivity scenarios/1231_borrowed_road.ron --runs 256 --out sens/ \\\n      \
--factor params.combat_noise=0.1..0.4 --outcome decisive_battle_winner\n\n\
Exit codes: 0 success, 2 bad input, 1 internal failure.")]
    Sensitivity {
        /// The scenario file (.ron).
        scenario: PathBuf,
        /// Base samples N (the analysis makes N(k+2) runs).
        #[arg(long = "runs", value_name = "N")]
        n: u64,
        /// Where to write samples.csv and sensitivity.json.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Base seed of the design, the runs and the bootstrap.
        #[arg(long, default_value_t = 0, value_parser = parse_seed)]
        seed: u64,
        #[command(flatten)]
        layers: Layers,
        /// One more factor: a path and its range, drawn uniformly (repeatable).
        #[arg(long = "factor", value_name = "PATH=LO..HI")]
        factors: Vec<String>,
        /// Analyse only this outcome (repeatable; default all).
        #[arg(long = "outcome", value_name = "ID")]
        outcomes: Vec<String>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Output format on stdout.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print shell completions for tianxia (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n  tianxia completions bash > ~/.local/share/bash-completion/completions/tianxia\n  \
tianxia completions zsh > ~/.zfunc/_tianxia\n\nExit codes: 0 success, 2 an unknown shell."
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Check scenario files (with mods) and report every problem found.
    #[command(after_help = "Example:\n  tianxia validate scenarios/*.ron\n  \
tianxia validate scenarios/tutorial_two_kingdoms.ron --mod docs/examples/tutorial_mod\n\n\
Exit codes: 0 every file is valid, 2 some file has problems (all of them listed).")]
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Layer a mod folder over each scenario.
        #[arg(long = "mod", value_name = "DIR")]
        mods: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// One run: the map with every army's track, battles and sieges, a slider over the
    /// turns, the chronicle on a timeline, strength over time.
    #[command(
        after_help = "Example:\n  tianxia report run scenarios/1231_borrowed_road.ron --seed 1 --out run.html\n  \
tianxia report run scenarios/1231_borrowed_road.ron --seed 1 --variant no_blizzard --out no_blizzard.html\n\n\
Exit codes: 0 success, 2 bad input or a file that cannot be written, 1 internal failure."
    )]
    Run {
        #[command(flatten)]
        play: Play,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
    },
    /// A batch folder (and a sensitivity result in it): per outcome and arm the estimate
    /// with its interval, frequencies or distribution, paired differences against the first
    /// arm, and the tornado of total Sobol indices.
    #[command(
        after_help = "Example:\n  tianxia batch scenarios/1231_borrowed_road.ron --runs 1000 --arm baseline --arm no_blizzard --out b/\n  \
tianxia report batch b/ --out batch.html\n  \
tianxia sensitivity scenarios/1231_borrowed_road.ron --runs 256 --out sens/ && tianxia report batch sens/ --out sens.html\n\n\
Exit codes: 0 success, 2 a folder that is not a batch or sensitivity result, or a file that cannot be written."
    )]
    Batch {
        /// The batch folder (summary.json and runs.csv) or sensitivity folder (sensitivity.json).
        dir: PathBuf,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
    },
    /// An odds folder (`tianxia odds --out DIR`): how the odds of the outcome moved along
    /// the history, with its interval, and the chronicle's main events on the same time axis.
    #[command(
        after_help = "Example:\n  tianxia odds scenarios/1231_borrowed_road.ron --seed 1 --outcome decisive_battle_winner --out odds/\n  \
tianxia report odds odds/ --out odds.html\n\n\
Exit codes: 0 success, 2 a folder that is not an odds result, or a file that cannot be written."
    )]
    Odds {
        /// The odds folder (odds.json).
        dir: PathBuf,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
    },
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match cli.command {
        Command::Run { play, format, events, series, verbose, save_at, save } => {
            let save = save_at.zip(save);
            let outputs = Outputs { format, events: events.as_deref(), verbose };
            run(&play.scenario, play.seed, &play.layers, outputs, series.as_deref(), save.as_ref())
        }
        Command::Resume { snapshot, seed, variants, sets, format, events, verbose } => {
            let fork = seed.map(|seed| Fork { seed, variants, sets });
            resume(&snapshot, fork, Outputs { format, events: events.as_deref(), verbose })
        }
        Command::Odds { play, outcome, every, runs, out, threads, quiet, format } => {
            let cfg = tianxia_montecarlo::odds::OddsConfig {
                scenario: play.scenario,
                seed: play.seed,
                outcome,
                every,
                runs,
                options: play.layers.options(),
                threads,
            };
            crate::odds::odds(&cfg, out.as_deref(), quiet || !is_terminal(), format)
        }
        Command::Validate { scenarios, mods } => validate(&scenarios, &mods),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "tianxia", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Diverge { scenario, arms, seed, seed_b, sets, mods, format } => {
            diverge(&scenario, &arms, seed, seed_b.unwrap_or(seed), &sets, &mods, format)
        }
        Command::Sensitivity { scenario, n, out, seed, layers, factors, outcomes, threads, format } => {
            let mut parsed = Vec::new();
            for f in &factors {
                let range = f.split_once('=').and_then(|(p, r)| {
                    let (lo, hi) = r.split_once("..")?;
                    Some((p.trim().to_string(), lo.trim().parse::<f64>().ok()?, hi.trim().parse::<f64>().ok()?))
                });
                match range {
                    Some(x) => parsed.push(x),
                    None => {
                        eprintln!("error: --factor `{f}` is not PATH=LO..HI (e.g. params.combat_noise=0.1..0.4)");
                        return ExitCode::from(2);
                    }
                }
            }
            let cfg = tianxia_montecarlo::sensitivity::Config {
                scenario,
                n,
                base_seed: seed,
                options: layers.options(),
                factors: parsed,
                outcomes,
                threads,
                out,
            };
            match tianxia_montecarlo::sensitivity::run(&cfg) {
                Ok(v) => {
                    match format {
                        Format::Json => println!("{v}"),
                        Format::Text => print!("{}", sensitivity_text(&v)),
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => batch_error(&e),
            }
        }
        Command::Map { scenario, layers, out } => match load(&scenario, &layers.options()) {
            Ok(s) => {
                let svg = crate::picture::map::map_svg(&s);
                match write_atomically(&out, |w| w.write_all(svg.as_bytes())) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(code) => code,
                }
            }
            Err(code) => code,
        },
        Command::Report { what: ReportCommand::Run { play, out } } => {
            report_run(&play.scenario, play.seed, &play.layers, &out)
        }
        Command::Report { what: ReportCommand::Batch { dir, out } } => {
            write_page(crate::picture::batch::report_batch(&dir), &out)
        }
        Command::Report { what: ReportCommand::Odds { dir, out } } => {
            write_page(crate::picture::odds::report_odds(&dir), &out)
        }
        Command::Describe { scenario, layers, format } => match load(&scenario, &layers.options()) {
            Ok(s) => {
                match format {
                    Format::Json => println!("{}", tianxia_montecarlo::json::describe(&s)),
                    Format::Text => print!("{}", crate::describe::describe_text(&s)),
                }
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Batch {
            scenario,
            runs,
            seed,
            arms,
            sweeps,
            layers,
            threads,
            shard,
            out,
            resume,
            from,
            quiet,
            series,
            series_runs,
            format,
        } => {
            let progress = if quiet {
                Progress::Quiet
            } else if is_terminal() {
                Progress::Bar
            } else {
                Progress::Lines
            };
            let series = series.map(|d| (d, series_runs));
            let where_ = Where { shard, out, resume, from };
            batch(scenario, runs, seed, &arms, &sweeps, &layers, threads, where_, progress, series, format)
        }
        Command::Merge { dirs, out } => match tianxia_montecarlo::merge(&dirs, &out) {
            Ok(summary) => {
                print!("{}", tianxia_montecarlo::table_fitting(&summary, table_width()));
                ExitCode::SUCCESS
            }
            Err(e) => batch_error(&e),
        },
    }
}

/// Writes a page made from a folder, or reports why the folder could not make one (exit 2).
fn write_page(page: Result<String, String>, out: &Path) -> ExitCode {
    match page {
        Ok(html) => match write_atomically(out, |w| w.write_all(html.as_bytes())) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Most problems shown with snippets; the rest are counted.
const MAX_SHOWN: usize = 200;

/// Prints the problems of a failed load on stderr, with snippets (the first
/// [`MAX_SHOWN`] of them).
pub fn report(e: &LoadError) -> ExitCode {
    let handler =
        miette::GraphicalReportHandler::new_themed(if std::env::var_os("NO_COLOR").is_some() || !is_terminal() {
            miette::GraphicalTheme::unicode_nocolor()
        } else {
            miette::GraphicalTheme::unicode()
        });
    let mut out = String::new();
    for d in e.diagnostics_up_to(MAX_SHOWN) {
        let _ = handler.render_report(&mut out, &d);
        out.push('\n');
    }
    let n = e.problems.len();
    if n > MAX_SHOWN {
        out.push_str(&format!("... and {} more problems (fix these first)\n", n - MAX_SHOWN));
    }
    eprint!("{out}");
    eprintln!("error: {n} problem{} found", if n == 1 { "" } else { "s" });
    ExitCode::from(2)
}

/// How wide a table for people may be: the terminal's width, or 100 columns when stdout
/// is not a terminal.
fn table_width() -> usize {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        console::Term::stdout().size_checked().map_or(100, |(_, cols)| usize::from(cols))
    } else {
        100
    }
}

/// How a batch shows its progress on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Progress {
    /// A bar, on a terminal.
    Bar,
    /// A plain line every 10 seconds or 10% of the runs (cluster logs, pipes).
    Lines,
    /// Nothing.
    Quiet,
}

fn is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

pub fn internal(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("internal error: {msg}");
    ExitCode::from(1)
}

fn load(path: &Path, opts: &LoadOptions) -> Result<Scenario, ExitCode> {
    tianxia_scenario::load(path, opts).map_err(|e| report(&e))
}

/// What a run prints and writes besides its series and snapshot.
#[derive(Clone, Copy)]
struct Outputs<'a> {
    format: Format,
    events: Option<&'a Path>,
    verbose: bool,
}

fn run(
    path: &Path,
    seed: u64,
    layers: &Layers,
    outputs: Outputs,
    series: Option<&Path>,
    save: Option<&(Date, PathBuf)>,
) -> ExitCode {
    let scenario = match load(path, &layers.options()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Some((at, _)) = save
        && *at > scenario.template().end
    {
        eprintln!("error: --save-at {at} is after the end of the scenario ({})", scenario.template().end);
        return ExitCode::from(2);
    }
    if save.is_some()
        && let Err(e) = tianxia_montecarlo::snapshot::Origin::check_paths(path, &layers.mods)
    {
        return batch_error(&e);
    }
    let mut sim = match scenario.sim(seed) {
        Ok(s) => s,
        Err(e) => return internal(format!("the validated scenario did not build: {e}")),
    };
    // At each turn boundary: the snapshot, at the first one on or after --save-at.
    let mut saved: Result<bool, ExitCode> = Ok(false);
    let mut at_boundary = |sim: &Sim| {
        let Some((at, file)) = save else { return };
        if !matches!(saved, Ok(false)) || (sim.date() < *at && !sim.finished()) {
            return;
        }
        if sim.date() < *at {
            eprintln!("note: the run ended on {} before {at}; the snapshot holds its end", sim.date());
        }
        saved = save_snapshot(&scenario, path, &layers.mods, seed, sim, file).map(|()| true);
    };
    let result = match series {
        None => {
            loop {
                at_boundary(&sim);
                if !sim.step() {
                    break;
                }
            }
            at_boundary(&sim);
            sim.result()
        }
        Some(file) => {
            let rows = tianxia_montecarlo::series::play_with(&mut sim, &mut at_boundary);
            if let Err(code) = write_atomically(file, |w| {
                tianxia_montecarlo::series::write_csv(w, &tianxia_montecarlo::series::HEADER, &[], &rows)
                    .map_err(std::io::Error::other)
            }) {
                return code;
            }
            sim.result()
        }
    };
    if let Err(code) = saved {
        return code;
    }
    finish(&scenario, seed, &sim, &result, outputs, None)
}

/// Writes the snapshot of `sim` (a run of `scenario`, from `path` with `mods`, seed `seed`).
fn save_snapshot(
    scenario: &Scenario,
    path: &Path,
    mods: &[PathBuf],
    seed: u64,
    sim: &Sim,
    file: &Path,
) -> Result<(), ExitCode> {
    use tianxia_montecarlo::snapshot::{Origin, SnapshotFile};
    let snapshot = sim.snapshot().map_err(internal)?;
    let origin = Origin::new(scenario, path, mods, seed, &snapshot);
    let bytes = SnapshotFile { origin, snapshot }.to_bytes().map_err(|e| batch_error(&e))?;
    write_atomically(file, |w| w.write_all(&bytes))
}

/// Prints a finished run (JSON or chronicle) and writes its event log; `from` adds, to
/// the JSON, the snapshot a fork started from.
fn finish(
    scenario: &Scenario,
    seed: u64,
    sim: &Sim,
    result: &tianxia_engine::RunResult,
    outputs: Outputs,
    from: Option<Value>,
) -> ExitCode {
    if let Some(file) = outputs.events {
        let written = write_atomically(file, |w| {
            for v in tianxia_montecarlo::json::events(sim)? {
                serde_json::to_writer(&mut *w, &v)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        });
        if let Err(code) = written {
            return code;
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match outputs.format {
        Format::Json => {
            let mut v = tianxia_montecarlo::json::run(scenario, seed, result);
            if let Some(f) = from {
                v["from"] = f;
            }
            writeln!(out, "{v}")
        }
        Format::Text => write!(out, "{}", chronicle(scenario, seed, sim, result, outputs.verbose)),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => internal(e),
    }
}

/// A run of a fork batch: its seed and its arm's layers.
struct Fork {
    seed: u64,
    variants: Vec<String>,
    sets: Vec<String>,
}

/// `tianxia resume`: the run of a snapshot played on to its end (with `fork`, one run of
/// a fork batch instead: fresh dice from its seed, and its arm's changes).
fn resume(file: &Path, fork: Option<Fork>, outputs: Outputs) -> ExitCode {
    use tianxia_montecarlo::BatchError;
    use tianxia_montecarlo::snapshot::SnapshotFile;
    let played = SnapshotFile::read(file).and_then(|f| {
        let o = &f.origin;
        let Some(fork) = fork else {
            let scenario = f.scenario(file)?;
            let sim = f.resume(&scenario, file)?;
            return Ok((scenario, o.seed, sim, None));
        };
        let arm = f.fork_base(&o.path, file)?.arm("resumed", &fork.variants, &fork.sets)?;
        let sim = arm.sim(&f.snapshot, fork.seed).map_err(|e| BatchError::Input(format!("{}: {e}", file.display())))?;
        let from = json!({"snapshot": file.display().to_string(), "seed": o.seed, "turn": o.turn, "date": o.date});
        Ok((arm.scenario, fork.seed, sim, Some(from)))
    });
    let (scenario, seed, mut sim, from) = match played {
        Ok(x) => x,
        Err(e) => return batch_error(&e),
    };
    let result = sim.run();
    finish(&scenario, seed, &sim, &result, outputs, from)
}

fn report_run(path: &Path, seed: u64, layers: &Layers, out: &Path) -> ExitCode {
    let scenario = match load(path, &layers.options()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let sim = match scenario.sim(seed) {
        Ok(s) => s,
        Err(e) => return internal(format!("the validated scenario did not build: {e}")),
    };
    match crate::picture::run::report_run(&scenario, seed, sim) {
        Ok(html) => match write_atomically(out, |w| w.write_all(html.as_bytes())) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Err(e) => internal(e),
    }
}

fn chronicle(s: &Scenario, seed: u64, sim: &Sim, r: &tianxia_engine::RunResult, verbose: bool) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let _ = writeln!(o, "{} — seed {seed}", s.name);
    if !s.variants.is_empty() {
        let _ = writeln!(o, "variants: {}", s.variants.join(", "));
    }
    for x in &s.sets {
        let _ = writeln!(o, "set: {x}");
    }
    let _ = writeln!(o);
    let names = sim.names();
    for line in crate::chronicle::lines(sim, verbose) {
        let marker = if line.detail { "  · " } else { "" };
        let _ = writeln!(o, "{marker}{}", line.text);
    }
    let _ = writeln!(o, "\n{} turns, ended {}", r.turns, r.end_date);
    let _ = writeln!(
        o,
        "\n{:<12} {:>9} {:>10} {:>10} {:>10} {:>12} {:>12} {:>9}",
        "faction", "provinces", "field men", "garrisons", "men lost", "silver", "grain", "weariness"
    );
    let _ = writeln!(
        o,
        "{:<12} {:>9} {:>10} {:>10} {:>10} {:>12} {:>12} {:>9}",
        "", "held", "men", "men", "men", "taels", "shi", "0 to 1"
    );
    for (fi, name) in names.factions.iter().enumerate() {
        let fid = FactionId(fi as u32);
        let Some(f) = sim.faction(fid) else { continue };
        let (mut provinces, mut garrisons) = (0, 0.0);
        for pi in 0..names.provinces.len() {
            if let Some(p) = sim.province(ProvinceId(pi as u32))
                && p.control.controller == fid
            {
                provinces += 1;
                garrisons += p.walls.garrison;
            }
        }
        let (mut men, mut lost) = (0.0, 0.0);
        for ai in 0..names.armies.len() {
            if let Some(a) = sim.army(ArmyId(ai as u32))
                && a.faction == fid
            {
                lost += a.ledger.lost;
                if !a.destroyed {
                    men += a.men();
                }
            }
        }
        let _ = writeln!(
            o,
            "{:<12} {:>9} {:>10.0} {:>10.0} {:>10.0} {:>12.0} {:>12.0} {:>9.2}",
            name.key, provinces, men, garrisons, lost, f.coffers.treasury, f.coffers.grain, f.weariness.weariness
        );
    }
    let _ = writeln!(
        o,
        "field men are in armies in the field; men lost counts every cause; weariness grows with\n\
         losses, slows the recovery of morale, and eases only in peace."
    );
    let _ = writeln!(o, "\noutcomes:");
    let specs = &s.template().outcomes;
    for (i, (k, v)) in r.outcomes.iter().enumerate() {
        // Text for people rounds (to 3 decimals, as before); JSON does not.
        let value = match v {
            OutcomeValue::Number(x) => json!((x * 1000.0).round() / 1000.0).to_string(),
            v => tianxia_montecarlo::json::outcome(v).to_string(),
        };
        match specs.get(i).map(|x| x.description.as_str()).filter(|d| !d.is_empty()) {
            Some(d) => {
                let _ = writeln!(o, "  {k:<28} {value:<12} {d}");
            }
            None => {
                let _ = writeln!(o, "  {k:<28} {value}");
            }
        }
    }
    let _ = writeln!(o, "\ndigest {}", r.digest);
    o
}

fn diverge(
    path: &Path,
    arms: &[String],
    seed_a: u64,
    seed_b: u64,
    sets: &[String],
    mods: &[PathBuf],
    format: Format,
) -> ExitCode {
    let [a, b] = arms else {
        eprintln!("error: diverge needs exactly two --arm (A and B), got {}", arms.len());
        return ExitCode::from(2);
    };
    let open = |spec: &str| match tianxia_montecarlo::arm_variants(spec) {
        Ok(variants) => load(path, &LoadOptions { variants, sets: sets.to_vec(), mods: mods.to_vec() }),
        Err(e) => Err(batch_error(&e)),
    };
    let (sa, sb) = match (open(a), open(b)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let d = match tianxia_montecarlo::diverge::diverge(&sa, seed_a, &sb, seed_b) {
        Ok(d) => d,
        Err(e) => return internal(format!("the validated scenario did not build: {e}")),
    };
    let sides = crate::diverge::Sides { a: (a.as_str(), seed_a), b: (b.as_str(), seed_b) };
    match format {
        Format::Json => println!("{}", crate::diverge::diverge_json(&sa.id, &sides, &d)),
        Format::Text => print!("{}", crate::diverge::diverge_text(&sides, &d)),
    }
    ExitCode::SUCCESS
}

/// The indices as text: per outcome, the factors by total index, largest first.
fn sensitivity_text(v: &Value) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Sobol indices of {} (N = {}, {} runs): S1 first order, ST total, with 95% intervals",
        v["scenario"].as_str().unwrap_or("?"),
        v["n"],
        v["n"].as_u64().unwrap_or(0) * (v["factors"].as_array().map_or(0, |f| f.len() as u64) + 2)
    );
    let cell = |x: &Value| match x.as_array() {
        Some(a) if a.len() == 3 => {
            let f = |i: usize| a[i].as_f64().unwrap_or(f64::NAN);
            format!("{:>6.3} [{:>6.3}, {:>6.3}]", f(0), f(1), f(2))
        }
        _ => "     -".to_string(),
    };
    let factors: Vec<String> = v["factors"]
        .as_array()
        .map_or_else(Vec::new, |f| f.iter().filter_map(|x| x.as_str().map(String::from)).collect());
    let width = factors.iter().map(String::len).max().unwrap_or(4).max(6);
    for (name, ix) in v["outcomes"].as_object().into_iter().flatten() {
        let _ = writeln!(o, "\n{name} (variance {})", num(ix["variance"].as_f64().unwrap_or(0.0)));
        if ix["ST"]["seed"].is_null() {
            let _ = writeln!(o, "  (does not vary: no indices)");
            continue;
        }
        let mut order: Vec<&String> = factors.iter().collect();
        let st = |f: &str| ix["ST"][f][0].as_f64().unwrap_or(f64::NEG_INFINITY);
        order.sort_by(|a, b| st(b).total_cmp(&st(a)));
        let _ = writeln!(o, "  {:<width$}  {:<24}  ST", "factor", "S1");
        for f in order {
            let _ = writeln!(o, "  {f:<width$}  {}  {}", cell(&ix["S1"][f.as_str()]), cell(&ix["ST"][f.as_str()]));
        }
    }
    o
}

fn num(x: f64) -> String {
    if x.abs() >= 100.0 { format!("{x:.0}") } else { format!("{x:.4}") }
}

/// Writes `file` under FILE.tmp and renames it into place; a failed write removes FILE.tmp
/// and reports the file (exit code 2).
pub fn write_atomically(
    file: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), ExitCode> {
    let mut tmp = file.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let done = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        write(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, file)
    })();
    done.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        eprintln!("error: cannot write {}: {e}", file.display());
        ExitCode::from(2)
    })
}

fn validate(paths: &[PathBuf], mods: &[PathBuf]) -> ExitCode {
    let mut worst = ExitCode::SUCCESS;
    for p in paths {
        let opts = LoadOptions { mods: mods.to_vec(), ..Default::default() };
        match tianxia_scenario::load(p, &opts) {
            Ok(s) => {
                // Each variant must apply cleanly on its own too.
                let mut ok = true;
                for (v, _) in &s.available_variants {
                    let with = LoadOptions { variants: vec![v.clone()], ..opts.clone() };
                    if let Err(e) = tianxia_scenario::load(p, &with) {
                        eprintln!("error: {}: variant `{v}` does not apply:", p.display());
                        worst = report(&e);
                        ok = false;
                    }
                }
                if ok {
                    println!("ok: {}: {}", p.display(), tianxia_scenario::summary(&s));
                }
            }
            Err(e) => worst = report(&e),
        }
    }
    worst
}

/// A seed: a whole number below 2^53 (`tianxia_engine::rng::SEED_LIMIT`), as runs.csv prints
/// them, so that every tool reading a seed holds it exactly.
fn parse_seed(s: &str) -> Result<u64, String> {
    let limit = tianxia_engine::rng::SEED_LIMIT;
    let seed =
        s.trim().parse::<u64>().map_err(|_| format!("`{s}` is not a seed (a whole number from 0 to {})", limit - 1))?;
    tianxia_engine::rng::check_seed(seed)
}

/// A day, YYYY-MM-DD.
fn parse_date(s: &str) -> Result<Date, String> {
    s.trim().parse()
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (k, n) = s.split_once('/').ok_or("write the shard as K/N, e.g. 0/8")?;
    let k = k.trim().parse::<u64>().map_err(|_| format!("`{k}` is not a shard number"))?;
    let n = n.trim().parse::<u64>().map_err(|_| format!("`{n}` is not a shard count"))?;
    if n == 0 || k >= n {
        return Err(format!("shard {k}/{n}: K must be from 0 to N-1"));
    }
    Ok((k, n))
}

pub fn batch_error(e: &tianxia_montecarlo::BatchError) -> ExitCode {
    use tianxia_montecarlo::BatchError;
    match e {
        BatchError::Load { arm, error } => {
            eprintln!("error: in arm `{arm}`:");
            report(error)
        }
        BatchError::Input(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        BatchError::Internal(msg) => internal(msg),
    }
}

/// Where a batch's runs come from and go: its shard, its folder, whether it resumes one,
/// and the snapshot it forks from.
struct Where {
    shard: Option<(u64, u64)>,
    out: Option<PathBuf>,
    resume: bool,
    from: Option<PathBuf>,
}

#[allow(clippy::too_many_arguments)]
fn batch(
    scenario: PathBuf,
    runs: u64,
    seed: u64,
    arms: &[String],
    sweeps: &[String],
    layers: &Layers,
    threads: Option<usize>,
    Where { shard, out, resume, from }: Where,
    shown: Progress,
    series: Option<(PathBuf, u64)>,
    format: Format,
) -> ExitCode {
    let arms = match tianxia_montecarlo::plan_arms(arms, &layers.variants, &layers.sets, sweeps) {
        Ok(a) => a,
        Err(e) => return batch_error(&e),
    };
    let cfg = tianxia_montecarlo::BatchConfig {
        scenario,
        runs,
        base_seed: seed,
        arms,
        mods: layers.mods.clone(),
        threads,
        shard,
        out,
        resume,
        from,
    };
    let bar = if shown == Progress::Bar {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {rate}  ETA {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                // A steady width and no decimals: the figure does not jitter as it updates.
                .with_key("rate", |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:>6.0} runs/s", s.per_sec());
                }),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    // Plain lines for logs: every 10 seconds or 10% of the runs, and at the end.
    let start = std::time::Instant::now();
    // (time, runs) of the last line, and the runs already done when this process started
    // (a resumed batch): the rate counts only this process's runs.
    let last = std::sync::Mutex::new((start, 0u64, None::<u64>));
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
        if shown != Progress::Lines || total == 0 {
            return;
        }
        let Ok(mut last) = last.lock() else { return };
        let first = *last.2.get_or_insert(done);
        let now = std::time::Instant::now();
        let due = done == total || now.duration_since(last.0).as_secs() >= 10 || (done - last.1) * 10 >= total;
        if done == first || done == last.1 || !due {
            return;
        }
        (last.0, last.1) = (now, done);
        let secs = now.duration_since(start).as_secs_f64().max(1e-9);
        let rate = (done - first) as f64 / secs;
        let eta = (total - done) as f64 / rate.max(1e-9);
        eprintln!(
            "progress: {done}/{total} runs ({:.0}%), {rate:.0} runs/s, ETA {eta:.0} s",
            done as f64 * 100.0 / total as f64
        );
    };
    let result = tianxia_montecarlo::run_batch(&cfg, &progress);
    bar.finish_and_clear();
    match result {
        Ok(r) => {
            if let Some((dir, k)) = &series
                && let Err(e) = tianxia_montecarlo::series::batch_series(&cfg, dir, *k)
            {
                return batch_error(&e);
            }
            let text = match format {
                Format::Json => format!("{}\n", r.summary),
                Format::Text => tianxia_montecarlo::table_fitting(&r.summary, table_width()),
            };
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => batch_error(&e),
    }
}
