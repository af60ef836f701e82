//! One integration-test binary: the real `daftar` binary and the real axum router, each against a
//! temporary copy of `knowledge/` or a folder made in the test.

mod it;
