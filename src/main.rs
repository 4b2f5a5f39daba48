//! `tianxia`: the command-line tool. A thin shell over the library crates: it parses
//! flags, calls one function per command, renders results and maps failures to exit
//! codes (0 success, 1 internal failure, 2 bad input).

mod chronicle;
mod cli;
mod describe;
mod diverge;
mod odds;
mod picture;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
