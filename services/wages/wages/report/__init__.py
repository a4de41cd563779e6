"""The wage-monitoring figures of the yearly report: monitored employers, payroll ledgers and
early warnings, each with the records behind it."""
