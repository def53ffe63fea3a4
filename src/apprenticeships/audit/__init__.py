"""The audit log: who did what to keys, people and adverts, for which organisation, when
and from where."""
