mod api;
mod cli;
mod eval;
mod harness;
mod live;
mod viewer;
