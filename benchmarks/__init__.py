"""Benchmarks and generated estates for performance tests (`make bench`)."""
