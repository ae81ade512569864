"""clustercheck: finds what is quietly wrong in an httpd + mod_jk + Tomcat cluster."""

__version__ = "0.2.0"
