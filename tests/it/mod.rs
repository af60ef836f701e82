mod api;
mod cli;
mod harness;
