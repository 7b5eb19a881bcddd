"""The Litestar application: health, admin, proxy and passthrough faces over one engine."""
