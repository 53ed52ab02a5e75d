"""The student workspace: a student copy of the course that updates never overwrite.

``make lab`` (``cnnlab lab``) first calls ``sync``: it releases the course
(solutions stubbed, hidden tests removed, see ``cnnlab.release``) into the
git-ignored ``workspace/`` folder, then opens JupyterLab there. On later runs:

- a lesson new to the course is added;
- a lesson the student has not changed is replaced by the course's newer
  version;
- a lesson the student changed is never touched: when the course changed it
  too, its new version is written beside it as ``NN_x.updated-<hash>.ipynb``
  (once per version), for the student to copy their work over;
- a lesson the student deleted is restored; one the course dropped stays.

"Changed" is decided by a content hash recorded in
``workspace/.cnnlab-workspace.json`` when a file is written: for notebooks the
cells' types, sources, outputs and attachments (what JupyterLab re-saving a
notebook leaves alone), for other files their bytes. A file the manifest does
not know counts as the student's. ``make lab-instructor`` (``cnnlab lab
--instructor``) opens ``course/`` itself. Nothing here imports TensorFlow.
"""

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import NamedTuple

from .course import COURSE_DIR
from .grading.files import write_atomic
from .release import released_files

DEFAULT_DIR = COURSE_DIR.parent / "workspace"
MANIFEST = ".cnnlab-workspace.json"
ADDED, UPDATED, RESTORED, BESIDE, WAITING, KEPT, CURRENT, DROPPED = (
    "added", "updated", "restored", "beside", "waiting", "kept", "current", "dropped",
)


class Action(NamedTuple):
    """What ``sync`` did with one file of the course."""

    path: str
    action: str
    message: str


def content_hash(data, notebook):
    """The hash that decides whether a file changed; for notebooks only what the student writes or runs counts."""
    if notebook:
        try:
            cells = json.loads(data.decode("utf-8"))["cells"]
            content = [
                [
                    cell.get("cell_type"),
                    "".join(cell.get("source", "")),
                    cell.get("outputs", []),
                    cell.get("attachments", {}),
                ]
                for cell in cells
            ]
            data = json.dumps(content, sort_keys=True).encode("utf-8")
        except (ValueError, TypeError, KeyError, AttributeError):
            pass
    return hashlib.sha256(data).hexdigest()


def _load_manifest(path):
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _beside(target, new_hash, data=None, notebook=True):
    """The file beside ``target`` for a new version: free, or already holding that version."""
    number = 1
    while True:
        tail = "" if number == 1 else f"-{number}"
        beside = target.with_name(f"{target.stem}.updated-{new_hash[:8]}{tail}{target.suffix}")
        if data is None or not beside.exists() or content_hash(beside.read_bytes(), notebook) == new_hash:
            return beside
        number += 1


def sync(course_dir=COURSE_DIR, workspace=DEFAULT_DIR):
    """Bring ``workspace`` up to date with the student copy of ``course_dir``.

    Returns:
        A list of ``Action``, one per file of the course (and per file the
        course no longer has).

    Raises:
        ValueError: ``workspace`` is a file or lies under one, or inside ``course_dir``.
        ReleaseError, NotebookFileError: the course cannot be released.
    """
    course_dir, workspace = Path(course_dir), Path(workspace)
    if workspace.exists() and not workspace.is_dir():
        raise ValueError(f"workspace {str(workspace)!r} exists and is not a directory")
    for parent in workspace.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"workspace {str(workspace)!r} cannot be created: {str(parent)!r} is a file")
            break
    if course_dir.resolve() in [workspace.resolve(), *workspace.resolve().parents]:
        raise ValueError(f"workspace {str(workspace)!r} must lie outside the course {str(course_dir)!r}")
    files = released_files(course_dir)
    manifest_path = workspace / MANIFEST
    manifest = _load_manifest(manifest_path)
    actions = []
    for relative, data in sorted(files.items()):
        notebook = relative.endswith(".ipynb")
        new = content_hash(data, notebook)
        target = workspace / relative
        entry = manifest.get(relative) if isinstance(manifest.get(relative), dict) else {}
        if not target.exists():
            write_atomic(target, data)
            action = RESTORED if entry else ADDED
            actions.append(Action(relative, action, f"{action} {relative}" + (" (it was missing)" if entry else "")))
            manifest[relative] = {"released": new}
            continue
        current = content_hash(target.read_bytes(), notebook)
        if current == new:
            actions.append(Action(relative, CURRENT, f"{relative} is up to date"))
            manifest[relative] = {"released": new}
        elif current == entry.get("released"):
            write_atomic(target, data)
            actions.append(Action(relative, UPDATED, f"updated {relative} (you had not changed it)"))
            manifest[relative] = {"released": new}
        elif entry.get("released") == new:
            actions.append(Action(relative, KEPT, f"{relative} has your changes; the course has not changed it"))
        elif entry.get("offered") == new:
            beside = entry.get("offered_as", _beside(target, new).name)
            actions.append(Action(relative, WAITING, f"{relative} has your changes; the course's new version waits in {beside}"))
        else:
            beside = _beside(target, new, data, notebook)
            if not beside.exists():
                write_atomic(beside, data)
            actions.append(
                Action(
                    relative,
                    BESIDE,
                    f"{relative} has your changes and the course changed it too: your copy is untouched, "
                    f"the new version is {beside.name}; copy your work over, then delete the one you do not need",
                )
            )
            manifest[relative] = {**entry, "offered": new, "offered_as": beside.name}
    for relative in sorted(set(manifest) - set(files)):
        if (workspace / relative).exists():
            actions.append(Action(relative, DROPPED, f"{relative} is no longer in the course; your copy stays"))
    write_atomic(manifest_path, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return actions


def report(actions):
    """The lines ``cnnlab lab`` prints: every change, and a count of what stayed as it was."""
    lines = [action.message for action in actions if action.action not in (CURRENT, KEPT)]
    current = sum(action.action == CURRENT for action in actions)
    kept = sum(action.action == KEPT for action in actions)
    lines.append(f"workspace: {current} file(s) up to date, {kept} with your changes")
    return lines


def lab_command(directory, extra=()):
    """The JupyterLab command line ``cnnlab lab`` runs, rooted at ``directory``."""
    command = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={directory}"]
    # JupyterLab refuses to run as root (containers, CI) unless told it may.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + list(extra)
