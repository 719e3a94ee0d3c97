"""Real-browser tests (a package so its conftest.py has a unique module name under --doctest-modules)."""
