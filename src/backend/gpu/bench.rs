//! GPU benchmarks (filled in once the backend passes its tests).
