"""The bureau's own inspections: routine patrols (日常巡查), special campaigns (专项检查) and
annual reviews (年审), with their findings and results, and the yearly figures of domain.md §11."""
