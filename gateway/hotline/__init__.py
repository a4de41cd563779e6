"""The 12345 hotline and 110 links (contract.md, "Hotline links"; domain.md §6)."""
