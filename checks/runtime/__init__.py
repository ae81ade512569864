"""CC8xx: what runs, beside what the files say: processes, logs, the running balancers."""
