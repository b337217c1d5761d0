"""`make bench`: throughput and latency of the main pages against a seeded PostgreSQL."""
