"""People's accounts: username and password, server-side sessions for the pages."""
