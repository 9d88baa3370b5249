"""The Zoho API budget: calls counted per quota day, a reserve for webhook follow-ups, the schedules' plan."""
