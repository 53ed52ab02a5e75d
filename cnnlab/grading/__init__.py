"""Coursework tooling: the exercise convention, and what nbgrader and otter-grader need.

- ``markers``: the ``### BEGIN SOLUTION`` / ``### BEGIN HIDDEN TESTS`` /
  ``=== BEGIN MARK SCHEME ===`` grammar, read strictly and as nbgrader reads it;
- ``convention``: a notebook's exercises (answer cell, check cell, question) and
  what keeps them from CONTRIBUTING.md's rules (each exercise its own names);
- ``names``: the global names a cell binds and reads;
- ``metadata``: nbgrader cell metadata derived from the markers (``make execute``);
- ``nbgrader``: an nbgrader course tree from instructor notebooks;
- ``otter``: otter-grader master notebooks from instructor notebooks;
- ``files``: reading notebooks with clear errors, writing outputs without
  overwriting anyone's files.

Student copies are ``cnnlab.release``; the student workspace is
``cnnlab.workspace``. Nothing here imports TensorFlow.
"""
