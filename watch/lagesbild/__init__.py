"""Lägesbild (the weekly situation picture for the EST meeting) and medborgarlöfte (the citizen promise)."""
