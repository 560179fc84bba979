"""Benchmarks of circleci-async against baselines measured side by side (not tests)."""
