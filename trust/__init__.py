"""Trust and consent: consent per purpose, per-contribution restrictions, usage records, data
export and account erasure (issue 12). Sits beside moderation, above knowledge."""
