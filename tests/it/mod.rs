mod api;
mod cli;
mod eval;
mod git;
mod harness;
mod live;
mod reports;
mod viewer;
