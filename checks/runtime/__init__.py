"""CC8xx: what really runs on the nodes, beside what the files say."""
