"""The class pulse: what the room answered, live, for the teacher (a JupyterHub service).

Two halves that share only :mod:`convlab.pulse.records`:

* the kernel's side, :mod:`convlab.pulse.client` (stdlib only): a lesson ``Question`` that is checked
  sends its verdict to the service in the background; :func:`pulse_status` says what is sent and
  :func:`pulse_off` stops it;
* the hub's side, :mod:`convlab.pulse.hub` (needs jupyterhub, SQLAlchemy and tornado, which the hub
  has): the ``convlab-pulse`` service, ``python -m convlab.pulse``. The lessons never import it.

See ``docs/class_pulse.md``.
"""

from .client import PulseClient, PulseStatus, pulse_off, pulse_on, pulse_status

__all__ = ["PulseClient", "PulseStatus", "pulse_status", "pulse_off", "pulse_on"]
