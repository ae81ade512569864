"""CC5xx: Tribes membership and session replication."""
