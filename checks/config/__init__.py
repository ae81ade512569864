"""CC6xx: configuration Tomcat or mod_jk read differently from what was meant."""
