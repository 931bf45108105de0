"""Observations (iakttagelser): members file what they saw, coordinators triage, police read what is forwarded."""
