//! Redirects: followed on the server's own origin only. The API key travels in headers
//! (`X-Emby-Token`, `X-Emby-Authorization`) that reqwest keeps on every hop, so a redirect to
//! another scheme, host or port (a hostile server, a proxy sending us to its login page, an
//! http -> https upgrade on another port) is refused with an error naming where it pointed.

/// Hops followed on the same origin (a reverse proxy adding a slash or a base path).
const MAX_HOPS: usize = 5;

/// Why a redirect was refused; found again in the error chain by [`refused_redirect`].
#[derive(Debug)]
pub(crate) struct RefusedRedirect {
    /// Where the server pointed, without path or query (`https://host:port`).
    pub(crate) origin: String,
    pub(crate) too_many: bool,
}

impl std::fmt::Display for RefusedRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.too_many {
            write!(f, "more than {MAX_HOPS} redirects")
        } else {
            write!(
                f,
                "redirected to another origin ({}); the API key is only sent to the configured \
                 server: set the host, port and SSL of the address the server redirects to",
                self.origin
            )
        }
    }
}

impl std::error::Error for RefusedRedirect {}

/// The policy of the REST client for a server at `base`.
pub(crate) fn policy(base: &url::Url) -> reqwest::redirect::Policy {
    let origin = base.origin();
    reqwest::redirect::Policy::custom(move |attempt| {
        let next = attempt.url().origin();
        if next != origin {
            let origin = next.ascii_serialization();
            return attempt.error(RefusedRedirect {
                origin,
                too_many: false,
            });
        }
        // `previous` starts with the original request.
        if attempt.previous().len() > MAX_HOPS {
            let origin = next.ascii_serialization();
            return attempt.error(RefusedRedirect {
                origin,
                too_many: true,
            });
        }
        attempt.follow()
    })
}

/// The refused redirect in an error's chain, if that is what failed.
pub(crate) fn refused_redirect(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<RefusedRedirect>() {
            return Some(r.to_string());
        }
        cur = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_origin_only() {
        let url = url::Url::parse("https://evil.example:8443/x?api_key=SECRET").expect("url");
        let refused = RefusedRedirect {
            origin: url.origin().ascii_serialization(),
            too_many: false,
        };
        let text = refused.to_string();
        assert!(text.contains("(https://evil.example:8443)"), "{text}");
        assert!(!text.contains("SECRET"), "{text}");
    }
}
