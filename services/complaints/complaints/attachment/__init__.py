"""Evidence attachments of a case (pay slips, contracts, photos): upload, list, download."""
