//! Placeholder binding (replaced by the core branch).
use pyo3::prelude::*;

#[pymodule(gil_used = false)]
mod _core {
    use pyo3::prelude::*;

    #[pymodule_export]
    const __version__: &str = env!("CARGO_PKG_VERSION");

    #[pyfunction]
    fn shutdown_all() {}
}
