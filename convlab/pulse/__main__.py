"""``python -m convlab.pulse``: run the class pulse service (as the hub starts it; see docs/class_pulse.md)."""

from .hub.service import main

if __name__ == "__main__":
    main()
