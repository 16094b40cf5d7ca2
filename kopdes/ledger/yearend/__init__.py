"""Year-end part of the demo (run after every unit's demo, before supervision and the portal): see demo.py."""
