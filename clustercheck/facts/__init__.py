"""The typed facts model: what gathering produces, what a snapshot records, what checks judge."""
