"""Pure derivations of the facts shared by checks and views (worker targets, membership view,
cluster settings, clock offsets), computed once per run."""
