"""CC8xx: what runs on the nodes and what it says, beside what the files say."""
