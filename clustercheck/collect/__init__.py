"""All node I/O lives here: transports, gathering phases, probes, captures, the NTP reference,
snapshots. Nothing outside this folder opens a connection, runs a command or reads a node's file."""
