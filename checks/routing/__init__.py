"""CC2xx: session routing (jvmRoute and the balancer's routes)."""
