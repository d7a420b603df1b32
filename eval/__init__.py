"""The accuracy evaluation and the benchmarks: not part of the installed service.

``jixiao eval`` loads this package from the source checkout (service/cli.py); the service
never imports it. Modules: ``dataset`` (the set and its manifest), ``textsim``/``values``/
``scorer``/``summary`` (scoring, pure functions), ``run`` (the command), ``report``
(report.json/report.html), ``history`` (stored runs, ``--compare``), ``approve`` (adding a
reviewer-approved document). See docs/eval.md.
"""
