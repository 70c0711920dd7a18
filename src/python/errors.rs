//! The Python exception hierarchy of `_core.pyi`, and the mapping from [`crate::Error`].

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;

use crate::error::Error;

create_exception!(
    embymedia_core._core,
    EmbyError,
    PyException,
    "Base class of every error raised by the core."
);
create_exception!(
    embymedia_core._core,
    EmbyConnectionError,
    EmbyError,
    "The server could not be reached (refused, DNS failure, reset, unreachable host)."
);
create_exception!(
    embymedia_core._core,
    EmbyTimeoutError,
    EmbyConnectionError,
    "The request did not complete within its timeout."
);
create_exception!(
    embymedia_core._core,
    EmbySslError,
    EmbyConnectionError,
    "TLS failed: bad or self-signed certificate with verify_ssl on, or a TLS/plain mismatch."
);
create_exception!(
    embymedia_core._core,
    EmbyAuthError,
    EmbyError,
    "HTTP 401/403: the API key is wrong, revoked or lacks rights."
);
create_exception!(
    embymedia_core._core,
    EmbyNotFoundError,
    EmbyError,
    "HTTP 404: the item, session or endpoint does not exist."
);
create_exception!(
    embymedia_core._core,
    EmbyServerError,
    EmbyError,
    "HTTP 5xx from the server. ``status`` carries the code."
);
create_exception!(
    embymedia_core._core,
    EmbyResponseError,
    EmbyError,
    "An unexpected response: non-JSON or truncated body, HTML error page, wrong shape, other 4xx."
);
create_exception!(
    embymedia_core._core,
    EmbyInvalidJsonError,
    EmbyResponseError,
    "The body was not JSON where JSON was due: empty, truncated or invalid."
);
create_exception!(
    embymedia_core._core,
    EmbyHtmlError,
    EmbyResponseError,
    "An HTML page (proxy, portal or error page) where JSON was due. ``status`` carries the HTTP \
     code of an error page, None for a 2xx page."
);
create_exception!(
    embymedia_core._core,
    EmbyClosedError,
    EmbyError,
    "The client was closed; no further calls are possible."
);
create_exception!(
    embymedia_core._core,
    InvalidHostError,
    EmbyError,
    "The host given by the user cannot be turned into a URL."
);
create_exception!(
    embymedia_core._core,
    InvalidArgumentError,
    PyValueError,
    "An argument the server could not take (an empty or malformed id, a value out of range); \
     raised before anything is sent."
);

/// The Python exception for `err`. Messages come from [`Error`]'s `Display`, which never holds
/// the API key. `EmbyServerError` gets its `status` attribute (hence `py`).
pub fn to_pyerr(py: Python<'_>, err: Error) -> PyErr {
    let msg = err.to_string();
    match err {
        Error::InvalidHost(_) => InvalidHostError::new_err(msg),
        Error::CannotConnect { .. } => EmbyConnectionError::new_err(msg),
        Error::Timeout { .. } => EmbyTimeoutError::new_err(msg),
        Error::Ssl { .. } => EmbySslError::new_err(msg),
        Error::InvalidAuth { .. } => EmbyAuthError::new_err(msg),
        Error::NotFound { .. } => EmbyNotFoundError::new_err(msg),
        Error::Server { status, .. } => {
            let e = EmbyServerError::new_err(msg);
            // Setting an attribute on a fresh exception instance cannot fail in practice; if it
            // did, the exception is still raised, only without `status`.
            let _ = e.value(py).setattr("status", status);
            e
        }
        Error::InvalidJson { .. } => EmbyInvalidJsonError::new_err(msg),
        Error::HtmlPage { status, .. } => {
            let e = EmbyHtmlError::new_err(msg);
            let _ = e.value(py).setattr("status", status);
            e
        }
        Error::UnexpectedResponse { .. } => EmbyResponseError::new_err(msg),
        Error::Closed => EmbyClosedError::new_err(msg),
        Error::InvalidArgument(_) => InvalidArgumentError::new_err(msg),
    }
}
