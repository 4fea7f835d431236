"""End-to-end tests: the real stack started by `sift up`."""
