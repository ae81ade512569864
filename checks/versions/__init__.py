"""CC3xx: the same software on every node (JDK, Tomcat)."""
