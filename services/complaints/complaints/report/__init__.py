"""The yearly figures of domain.md §11 that the complaints service holds: inspections, cases,
per-worker payments and penalties, each with the records behind it."""
