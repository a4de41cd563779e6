"""The bureau's yearly report (domain.md §11, contract.md "Reports"): the gateway gathers each
service's part through that service's report endpoint and renders it as JSON, Markdown, XLSX
or a self-contained HTML page."""
