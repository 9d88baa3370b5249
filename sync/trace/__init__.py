"""One record, end to end: find it (search), what we hold and how it got there (trace), what Zoho holds
now (compare) and the record as it was at an earlier time (as_of), built on the entity registry, the
audit trail, the inbox, the queue, the dead letters and the run ledger."""
