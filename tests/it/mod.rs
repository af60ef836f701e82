mod api;
mod cli;
mod harness;
mod live;
