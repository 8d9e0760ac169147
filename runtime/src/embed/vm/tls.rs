//! The cryptography under the `ssl` module (RustPython's, over rustls): rustls needs one
//! process-wide provider, which RustPython's own binary installs at start. brine installs
//! ring's at the first runtime's build. Where the host installed a rustls provider of its own
//! first, RustPython's `ssl` cannot get the details it needs beside it (its cipher and key
//! exchange lists): the `_ssl` module is then left out, and `import ssl` is ImportError
//! rather than a panic at the first handshake.

use rustls::crypto::ring;
use rustpython_stdlib::ssl::providers::CryptoExt;
use std::sync::OnceLock;

/// Whether the `ssl` module can run: the provider is installed (once, by the first call).
pub(crate) fn provider_installed() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        let ext = CryptoExt {
            all_cipher_suites: Some(ring::ALL_CIPHER_SUITES),
            default_cipher_suites: Some(ring::DEFAULT_CIPHER_SUITES),
            all_kx_groups: Some(ring::ALL_KX_GROUPS),
            any_supported_key: Some(ring::sign::any_supported_type),
            ticketer: ring::Ticketer::new,
        };
        // rustls marks ring's provider deprecated for its lack of post-quantum key exchange
        // (X25519MLKEM768); the classical groups it has are what TLS servers take today, and
        // aws-lc-rs, which has it, needs a much larger C build.
        #[allow(deprecated)]
        let provider = ring::default_provider();
        CryptoExt::set_provider(provider, ext).is_ok()
    })
}
