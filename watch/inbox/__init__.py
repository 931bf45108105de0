"""The SMS inbox: every SMS from members' verified numbers, read, answered and handled by the municipality's staff."""
