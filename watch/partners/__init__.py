"""Partner organisations (schools, housing companies, security companies, ...) and their reporters."""
