"""Version knowledge: what each Tomcat (and mod_jk) version accepts, removed, and defaults to."""
