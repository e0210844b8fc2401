"""Support staff: accounts, the staff API and the web console (a channel pair of its own)."""
