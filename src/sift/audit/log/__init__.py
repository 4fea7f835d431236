"""The audit log: every service's events as an append-only, hash-chained record per
organization, with the pseudonyms that let an erased person's entries stay unlinkable."""
