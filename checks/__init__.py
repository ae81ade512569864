"""Built-in checks, one module each; registered through the clustercheck.checks entry points."""
