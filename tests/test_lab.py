"""The `make lab` path: the student workspace synced from the course, then a real
JupyterLab server on a loopback port started with the command `cnnlab lab` runs.
It lists the released lessons (no solution in them), keeps their kernelspec as
it is (so opening one does not mark it unsaved), and runs a lesson in a kernel
it starts, up to the first exercise the student has to solve."""

import asyncio
import json
import os
import socket
import subprocess
import time
import urllib.request
import uuid

import nbformat
import pytest

from cnnlab import course, workspace
from leaks import leaks

pytestmark = pytest.mark.slow

TOKEN = uuid.uuid4().hex


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(base, path, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{base}{path}",
        data=data,
        method=method,
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = response.read()
        return response.status, (json.loads(payload) if payload[:1] in (b"{", b"[") else payload)


@pytest.fixture(scope="module")
def student_workspace(tmp_path_factory):
    directory = tmp_path_factory.mktemp("lab") / "workspace"
    workspace.sync(course.COURSE_DIR, directory)
    return directory


@pytest.fixture(scope="module")
def lab(tmp_path_factory, student_workspace):
    port = _free_port()
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "CNNLAB_HEADLESS": "1"}
    log = open(runtime / "server.log", "w+")
    command = workspace.lab_command(
        student_workspace,
        [
            "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
        ],
    )
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if _request(base, "/api/status")[0] == 200:
                break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            log.seek(0)
            pytest.fail(f"JupyterLab did not start: {log.read()[-2000:]}")
        time.sleep(0.5)
    yield base, port
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def test_lab_serves_the_student_copy_of_the_course(lab):
    base, _ = lab
    status, contents = _request(base, "/api/contents")
    assert status == 200
    listed = {item["name"] for item in contents["content"] if item["type"] == "notebook"}
    assert {p.name for p in course.notebooks()} <= listed
    for path in course.notebooks():
        status, served = _request(base, f"/api/contents/{path.name}?content=1")
        assert status == 200
        assert leaks(nbformat.read(str(path), as_version=4), served["content"]) == [], path.name
    status, page = _request(base, "/lab")
    assert status == 200 and b"JupyterLab" in page


def test_notebooks_carry_the_kernelspec_the_server_has(lab, student_workspace):
    """JupyterLab rewrites a notebook's kernelspec to the server's on opening, which marks
    it unsaved; the course and the workspace carry exactly that one."""
    from ipykernel.kernelspec import get_kernel_dict

    base, _ = lab
    status, specs = _request(base, "/api/kernelspecs")
    assert status == 200
    served = specs["kernelspecs"][course.KERNELSPEC["name"]]["spec"]
    assert served["display_name"] == get_kernel_dict()["display_name"] == course.KERNELSPEC["display_name"]
    assert served["language"] == course.KERNELSPEC["language"]
    for path in [*course.notebooks(), *sorted(student_workspace.glob("*.ipynb"))]:
        assert nbformat.read(str(path), as_version=4).metadata["kernelspec"] == course.KERNELSPEC, path


async def _execute_cells(port, kernel_id, sources):
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?token={TOKEN}"
    connection = await websocket_connect(url)
    session = uuid.uuid4().hex
    errors = []
    for source in sources:
        msg_id = uuid.uuid4().hex
        request = {
            "header": {"msg_id": msg_id, "username": "test", "session": session,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": source, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }
        await connection.write_message(json.dumps(request))
        while True:
            message = json.loads(await asyncio.wait_for(connection.read_message(), timeout=300))
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "error":
                errors.append(message["content"]["ename"])
            if message["msg_type"] == "execute_reply":
                break
    connection.close()
    return errors


def test_a_lesson_runs_in_a_lab_kernel_up_to_the_first_exercise(lab, student_workspace):
    base, port = lab
    path = student_workspace / course.notebooks()[0].name
    status, session = _request(
        base, "/api/sessions", "POST",
        {"path": path.name, "type": "notebook", "name": path.name, "kernel": {"name": "python3"}},
    )
    assert status == 201
    kernel_id = session["kernel"]["id"]
    nb = nbformat.read(str(path), as_version=4)
    first_answer = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    sources = [c.source for c in nb.cells[: first_answer + 1] if c.cell_type == "code"]
    try:
        errors = asyncio.run(_execute_cells(port, kernel_id, sources))
    finally:
        _request(base, f"/api/sessions/{session['id']}", "DELETE")
    assert errors == ["NotImplementedError"], "the lesson runs; the first exercise waits for the student"
    assert len(sources) > 3
