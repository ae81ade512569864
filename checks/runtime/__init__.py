"""CC8xx: what runs on the nodes, beside what the files say."""
