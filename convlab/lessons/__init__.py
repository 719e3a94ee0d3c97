"""What the lessons ask and how they check it: :mod:`.exercises` (checkers and :class:`Question`),
:mod:`.tasks` (the higher-order tasks), :mod:`.questions` (the lessons' question bank), :mod:`.receptive`
(receptive fields through a stack of layers). numpy only; imports :mod:`convlab.core`, :mod:`convlab.views`,
:mod:`convlab.data` and (for parameter counts) :mod:`convlab.nets`.
"""
