"""inventory.yaml -> typed settings: the schema, the safe YAML loader, errors with file:line."""
