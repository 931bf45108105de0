"""Båtsamverkan: the register of marked boats, engines and trailers, and the police's search of it."""
