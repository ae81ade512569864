"""CC1xx: the AJP seam between the front end and the Tomcat connectors."""
